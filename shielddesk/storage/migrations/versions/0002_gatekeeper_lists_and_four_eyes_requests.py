"""gatekeeper lists and four-eyes requests

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 09:28:19.225038
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import shielddesk.storage.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gatekeeper_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=1000), nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.Column('received_at', shielddesk.storage.types.UTCDateTime(), nullable=False),
    sa.Column('revised_at', shielddesk.storage.types.UTCDateTime(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gatekeeper_list')),
    sa.UniqueConstraint('reference', name=op.f('uq_gatekeeper_list_reference'))
    )
    op.create_table('list_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('entry_ref', sa.String(length=64), nullable=False),
    sa.Column('cp_id', sa.String(length=12), nullable=False),
    sa.Column('forenames', sa.String(length=1000), nullable=False),
    sa.Column('surname', sa.String(length=1000), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('gender', sa.String(length=1), nullable=False),
    sa.Column('postcode', sa.String(length=1000), nullable=False),
    sa.Column('address', sa.String(length=1000), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('requesting_agency', sa.String(length=32), nullable=False),
    sa.Column('approved_by', sa.String(length=1000), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('review_due', sa.Date(), nullable=True),
    sa.Column('shield_carers', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.String(length=4000), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_note', sa.String(length=4000), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', shielddesk.storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_list_entry_child_id_child')),
    sa.ForeignKeyConstraint(['list_id'], ['gatekeeper_list.id'], name=op.f('fk_list_entry_list_id_gatekeeper_list')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_entry')),
    sa.UniqueConstraint('list_id', 'entry_ref', name=op.f('uq_list_entry_list_id'))
    )
    with op.batch_alter_table('list_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_entry_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_list_entry_list_id'), ['list_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_list_entry_status'), ['status'], unique=False)

    op.create_table('review_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('related_child_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', shielddesk.storage.types.UTCDateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', shielddesk.storage.types.UTCDateTime(), nullable=True),
    sa.Column('note', sa.String(length=4000), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_review_item_child_id_child')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], name=op.f('fk_review_item_decided_by_id_app_user')),
    sa.ForeignKeyConstraint(['related_child_id'], ['child.id'], name=op.f('fk_review_item_related_child_id_child')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_item'))
    )
    with op.batch_alter_table('review_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_item_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_item_status'), ['status'], unique=False)

    op.create_table('shield_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('maker_id', sa.Integer(), nullable=False),
    sa.Column('made_at', shielddesk.storage.types.UTCDateTime(), nullable=False),
    sa.Column('reason', sa.String(length=4000), nullable=False),
    sa.Column('child_version', sa.Integer(), nullable=True),
    sa.Column('entry_version', sa.Integer(), nullable=True),
    sa.Column('review_due', sa.Date(), nullable=True),
    sa.Column('shield_carers', sa.Boolean(), nullable=False),
    sa.Column('checker_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', shielddesk.storage.types.UTCDateTime(), nullable=True),
    sa.Column('checker_note', sa.String(length=4000), nullable=False),
    sa.ForeignKeyConstraint(['checker_id'], ['app_user.id'], name=op.f('fk_shield_request_checker_id_app_user')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_shield_request_child_id_child')),
    sa.ForeignKeyConstraint(['entry_id'], ['list_entry.id'], name=op.f('fk_shield_request_entry_id_list_entry')),
    sa.ForeignKeyConstraint(['maker_id'], ['app_user.id'], name=op.f('fk_shield_request_maker_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shield_request'))
    )
    with op.batch_alter_table('shield_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shield_request_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shield_request_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shield_request_status'), ['status'], unique=False)
        batch_op.create_index('uq_shield_request_pending_child', ['child_id', 'kind'], unique=True, sqlite_where=sa.text("status = 'pending' AND child_id IS NOT NULL"), postgresql_where=sa.text("status = 'pending' AND child_id IS NOT NULL"))
        batch_op.create_index('uq_shield_request_pending_entry', ['entry_id'], unique=True, sqlite_where=sa.text("status = 'pending' AND entry_id IS NOT NULL"), postgresql_where=sa.text("status = 'pending' AND entry_id IS NOT NULL"))

    with op.batch_alter_table('shield', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provisional', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.alter_column('maker_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.alter_column('checker_id',
               existing_type=sa.INTEGER(),
               nullable=True)



def downgrade() -> None:
    with op.batch_alter_table('shield', schema=None) as batch_op:
        batch_op.alter_column('checker_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.alter_column('maker_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('provisional')

    with op.batch_alter_table('shield_request', schema=None) as batch_op:
        batch_op.drop_index('uq_shield_request_pending_entry', sqlite_where=sa.text("status = 'pending' AND entry_id IS NOT NULL"), postgresql_where=sa.text("status = 'pending' AND entry_id IS NOT NULL"))
        batch_op.drop_index('uq_shield_request_pending_child', sqlite_where=sa.text("status = 'pending' AND child_id IS NOT NULL"), postgresql_where=sa.text("status = 'pending' AND child_id IS NOT NULL"))
        batch_op.drop_index(batch_op.f('ix_shield_request_status'))
        batch_op.drop_index(batch_op.f('ix_shield_request_entry_id'))
        batch_op.drop_index(batch_op.f('ix_shield_request_child_id'))

    op.drop_table('shield_request')
    with op.batch_alter_table('review_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_item_status'))
        batch_op.drop_index(batch_op.f('ix_review_item_child_id'))

    op.drop_table('review_item')
    with op.batch_alter_table('list_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_entry_status'))
        batch_op.drop_index(batch_op.f('ix_list_entry_list_id'))
        batch_op.drop_index(batch_op.f('ix_list_entry_child_id'))

    op.drop_table('list_entry')
    op.drop_table('gatekeeper_list')
