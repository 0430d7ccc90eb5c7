"""former surnames: searchable keys of every child's former surnames

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 16:27:55.652115
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import shielddesk.storage.types
from shielddesk.domain.text import former_surname_index


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('former_surname',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('name_key', shielddesk.storage.types.SearchKey(length=1000), nullable=False),
    sa.Column('phonetic', shielddesk.storage.types.SearchKey(length=32), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], name=op.f('fk_former_surname_child_id_child'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_former_surname'))
    )
    with op.batch_alter_table('former_surname', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_former_surname_child_id'), ['child_id'], unique=False)
        batch_op.create_index('ix_former_surname_key_dob', ['name_key', 'date_of_birth'], unique=False)
        batch_op.create_index(batch_op.f('ix_former_surname_phonetic'), ['phonetic'], unique=False)

    # The children already in the index: their former surnames, as the population import now stores them.
    connection = op.get_bind()
    child = sa.table(
        'child',
        sa.column('id', sa.Integer()),
        sa.column('former_surnames', sa.String()),
        sa.column('date_of_birth', sa.Date()),
    )
    former = sa.table(
        'former_surname',
        sa.column('child_id', sa.Integer()),
        sa.column('name_key', sa.String()),
        sa.column('phonetic', sa.String()),
        sa.column('date_of_birth', sa.Date()),
    )
    rows = connection.execute(
        sa.select(child.c.id, child.c.former_surnames, child.c.date_of_birth).where(child.c.former_surnames != '')
    ).all()
    batch = []
    for child_id, text, born in rows:
        batch += [
            {'child_id': child_id, 'name_key': key, 'phonetic': sound, 'date_of_birth': born}
            for key, sound in former_surname_index(text)
        ]
        if len(batch) >= 10_000:
            connection.execute(former.insert(), batch)
            batch = []
    if batch:
        connection.execute(former.insert(), batch)


def downgrade() -> None:
    with op.batch_alter_table('former_surname', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_former_surname_phonetic'))
        batch_op.drop_index('ix_former_surname_key_dob')
        batch_op.drop_index(batch_op.f('ix_former_surname_child_id'))

    op.drop_table('former_surname')
