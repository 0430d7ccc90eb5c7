"""certificates and signing keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:52:33.523098
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import shielddesk.storage.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signing_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=1000), nullable=False),
    sa.Column('certificate_pem', sa.Text(), nullable=False),
    sa.Column('file_name', sa.String(length=1000), nullable=False),
    sa.Column('self_signed', sa.Boolean(), nullable=False),
    sa.Column('not_after', shielddesk.storage.types.UTCDateTime(), nullable=False),
    sa.Column('created_at', shielddesk.storage.types.UTCDateTime(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_signing_key_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_key')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_signing_key_fingerprint'))
    )
    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_key_user_id'), ['user_id'], unique=False)

    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('issued_at', shielddesk.storage.types.UTCDateTime(), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=False),
    sa.Column('signing_key_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('counts', sa.Text(), nullable=False),
    sa.Column('exceptions', sa.Text(), nullable=False),
    sa.Column('audit_head_seq', sa.Integer(), nullable=False),
    sa.Column('audit_head_hash', sa.String(length=64), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['signer_id'], ['app_user.id'], name=op.f('fk_certificate_signer_id_app_user')),
    sa.ForeignKeyConstraint(['signing_key_id'], ['signing_key.id'], name=op.f('fk_certificate_signing_key_id_signing_key')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('number', name=op.f('uq_certificate_number'))
    )


def downgrade() -> None:
    op.drop_table('certificate')
    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_key_user_id'))

    op.drop_table('signing_key')
