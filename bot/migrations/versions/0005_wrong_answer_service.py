"""the service a wrong answer gave, on gap entries

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 19:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('gap_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_id', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_gap_entries_service_id'), ['service_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('gap_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gap_entries_service_id'))
        batch_op.drop_column('service_id')
