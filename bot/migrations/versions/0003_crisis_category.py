"""crisis category on gap entries

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 16:10:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('gap_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_gap_entries_category'), ['category'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('gap_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gap_entries_category'))
        batch_op.drop_column('category')
