"""second factor: authenticator secrets, recovery codes, four-eyes resets

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 16:07:04.182294
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import shielddesk.storage.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('used_at', shielddesk.storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_recovery_code_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    sa.UniqueConstraint('user_id', 'digest', name=op.f('uq_recovery_code_user_id'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)

    op.create_table('second_factor',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sealed_secret', sa.String(length=256), nullable=False),
    sa.Column('last_step', sa.BigInteger(), nullable=False),
    sa.Column('enrolled_at', shielddesk.storage.types.UTCDateTime(), nullable=False),
    sa.Column('enrolled_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['enrolled_by'], ['app_user.id'], name=op.f('fk_second_factor_enrolled_by_app_user')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_second_factor_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_second_factor'))
    )
    op.create_table('second_factor_reset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=False),
    sa.Column('requested_at', shielddesk.storage.types.UTCDateTime(), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', shielddesk.storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['app_user.id'], name=op.f('fk_second_factor_reset_decided_by_app_user')),
    sa.ForeignKeyConstraint(['requested_by'], ['app_user.id'], name=op.f('fk_second_factor_reset_requested_by_app_user')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_second_factor_reset_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_second_factor_reset'))
    )
    with op.batch_alter_table('second_factor_reset', schema=None) as batch_op:
        batch_op.create_index('uq_second_factor_reset_pending_user', ['user_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    # An authority set up before this revision keeps signing in with passwords until its administrators have
    # enrolled everyone and turned the requirement on (`shielddesk user second-factor require`). A database
    # without the setting requires the second factor.
    op.execute(
        "INSERT INTO setting (key, value) SELECT 'second_factor_required', 'no' "
        "WHERE EXISTS (SELECT 1 FROM setting WHERE key = 'installation_id')"
    )



def downgrade() -> None:
    op.execute("DELETE FROM setting WHERE key = 'second_factor_required'")
    with op.batch_alter_table('second_factor_reset', schema=None) as batch_op:
        batch_op.drop_index('uq_second_factor_reset_pending_user', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.drop_table('second_factor_reset')
    op.drop_table('second_factor')
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))

    op.drop_table('recovery_code')
