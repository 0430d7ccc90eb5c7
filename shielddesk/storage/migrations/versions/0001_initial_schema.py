"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 08:59:05.582314
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import shielddesk.storage.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', shielddesk.storage.types.UTCDateTime(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', shielddesk.storage.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('username', name=op.f('uq_app_user_username'))
    )
    op.create_table('audit_event',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('occurred_at', sa.String(length=32), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('workstation', sa.String(length=255), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=4000), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_action', ['action'], unique=False)

    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('child',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cp_id', sa.String(length=12), nullable=False),
    sa.Column('forenames', sa.String(length=1000), nullable=False),
    sa.Column('surname', sa.String(length=1000), nullable=False),
    sa.Column('former_surnames', sa.String(length=1000), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('gender', sa.String(length=1), nullable=False),
    sa.Column('address_line1', sa.String(length=1000), nullable=False),
    sa.Column('address_line2', sa.String(length=1000), nullable=False),
    sa.Column('town', sa.String(length=1000), nullable=False),
    sa.Column('postcode', sa.String(length=1000), nullable=False),
    sa.Column('school_name', sa.String(length=1000), nullable=False),
    sa.Column('school_urn', sa.String(length=1000), nullable=False),
    sa.Column('school_postcode', sa.String(length=1000), nullable=False),
    sa.Column('gp_practice_name', sa.String(length=1000), nullable=False),
    sa.Column('gp_practice_code', sa.String(length=1000), nullable=False),
    sa.Column('gp_postcode', sa.String(length=1000), nullable=False),
    sa.Column('surname_key', shielddesk.storage.types.SearchKey(length=1000), nullable=False),
    sa.Column('forenames_key', shielddesk.storage.types.SearchKey(length=1000), nullable=False),
    sa.Column('surname_phonetic', shielddesk.storage.types.SearchKey(length=32), nullable=False),
    sa.Column('postcode_key', shielddesk.storage.types.SearchKey(length=1000), nullable=False),
    sa.Column('address_key', shielddesk.storage.types.SearchKey(length=1000), nullable=False),
    sa.Column('school_key', shielddesk.storage.types.SearchKey(length=1000), nullable=False),
    sa.Column('gp_key', shielddesk.storage.types.SearchKey(length=1000), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', shielddesk.storage.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child')),
    sa.UniqueConstraint('cp_id', name=op.f('uq_child_cp_id'))
    )
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.create_index('ix_child_address_key', ['address_key'], unique=False)
        batch_op.create_index('ix_child_date_of_birth', ['date_of_birth'], unique=False)
        batch_op.create_index('ix_child_forenames_key', ['forenames_key'], unique=False)
        batch_op.create_index('ix_child_gp_key', ['gp_key'], unique=False)
        batch_op.create_index('ix_child_postcode_key', ['postcode_key'], unique=False)
        batch_op.create_index('ix_child_school_key', ['school_key'], unique=False)
        batch_op.create_index('ix_child_surname_key_dob', ['surname_key', 'date_of_birth'], unique=False)
        batch_op.create_index('ix_child_surname_phonetic', ['surname_phonetic'], unique=False)

    op.create_table('setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('carer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=1000), nullable=False),
    sa.Column('relationship', sa.String(length=1000), nullable=False),
    sa.Column('address', sa.String(length=1000), nullable=False),
    sa.Column('phone', sa.String(length=1000), nullable=False),
    sa.Column('name_key', shielddesk.storage.types.SearchKey(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_carer_child_id_child'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carer'))
    )
    with op.batch_alter_table('carer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carer_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_carer_name_key'), ['name_key'], unique=False)

    op.create_table('involvement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=1000), nullable=False),
    sa.Column('practitioner', sa.String(length=1000), nullable=False),
    sa.Column('role', sa.String(length=1000), nullable=False),
    sa.Column('organisation', sa.String(length=1000), nullable=False),
    sa.Column('phone', sa.String(length=1000), nullable=False),
    sa.Column('address', sa.String(length=1000), nullable=False),
    sa.Column('postcode', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_involvement_child_id_child'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_involvement'))
    )
    with op.batch_alter_table('involvement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_involvement_child_id'), ['child_id'], unique=False)

    op.create_table('shield',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('maker_id', sa.Integer(), nullable=False),
    sa.Column('checker_id', sa.Integer(), nullable=False),
    sa.Column('applied_at', shielddesk.storage.types.UTCDateTime(), nullable=False),
    sa.Column('review_due', sa.Date(), nullable=True),
    sa.Column('shield_carers', sa.Boolean(), nullable=False),
    sa.Column('removed_maker_id', sa.Integer(), nullable=True),
    sa.Column('removed_checker_id', sa.Integer(), nullable=True),
    sa.Column('removed_at', shielddesk.storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['checker_id'], ['app_user.id'], name=op.f('fk_shield_checker_id_app_user')),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_shield_child_id_child')),
    sa.ForeignKeyConstraint(['maker_id'], ['app_user.id'], name=op.f('fk_shield_maker_id_app_user')),
    sa.ForeignKeyConstraint(['removed_checker_id'], ['app_user.id'], name=op.f('fk_shield_removed_checker_id_app_user')),
    sa.ForeignKeyConstraint(['removed_maker_id'], ['app_user.id'], name=op.f('fk_shield_removed_maker_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shield'))
    )
    with op.batch_alter_table('shield', schema=None) as batch_op:
        batch_op.create_index('ix_shield_child_id', ['child_id'], unique=False)
        batch_op.create_index('uq_shield_active_child', ['child_id'], unique=True, sqlite_where=sa.text('active = 1'), postgresql_where=sa.text('active'))

    op.create_table('user_role',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_user_role_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_role'))
    )


def downgrade() -> None:
    op.drop_table('user_role')
    with op.batch_alter_table('shield', schema=None) as batch_op:
        batch_op.drop_index('uq_shield_active_child', sqlite_where=sa.text('active = 1'), postgresql_where=sa.text('active'))
        batch_op.drop_index('ix_shield_child_id')

    op.drop_table('shield')
    with op.batch_alter_table('involvement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_involvement_child_id'))

    op.drop_table('involvement')
    with op.batch_alter_table('carer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_carer_name_key'))
        batch_op.drop_index(batch_op.f('ix_carer_child_id'))

    op.drop_table('carer')
    op.drop_table('setting')
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.drop_index('ix_child_surname_phonetic')
        batch_op.drop_index('ix_child_surname_key_dob')
        batch_op.drop_index('ix_child_school_key')
        batch_op.drop_index('ix_child_postcode_key')
        batch_op.drop_index('ix_child_gp_key')
        batch_op.drop_index('ix_child_forenames_key')
        batch_op.drop_index('ix_child_date_of_birth')
        batch_op.drop_index('ix_child_address_key')

    op.drop_table('child')
    op.drop_table('audit_head')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_action')

    op.drop_table('audit_event')
    op.drop_table('app_user')
