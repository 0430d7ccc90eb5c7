"""search indexes in sort order

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 10:24:34.418536
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import shielddesk.storage.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_surname_phonetic'))
        batch_op.create_index('ix_child_phonetic_surname_dob', ['surname_phonetic', 'surname_key', 'date_of_birth'], unique=False)
        batch_op.create_index('ix_child_phonetic_dob', ['surname_phonetic', 'date_of_birth'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.drop_index('ix_child_phonetic_dob')
        batch_op.drop_index('ix_child_phonetic_surname_dob')
        batch_op.create_index(batch_op.f('ix_child_surname_phonetic'), ['surname_phonetic'], unique=False)

