"""where each resident phrase came from: the directory, an officer, or the national catalogue

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 18:40:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('service_phrases', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('source', sa.String(length=16), nullable=False, server_default='directory')
        )
        batch_op.add_column(sa.Column('added_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('added_by', sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_service_phrases_source'), ['source'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('service_phrases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_phrases_source'))
        batch_op.drop_column('added_by')
        batch_op.drop_column('added_at')
        batch_op.drop_column('source')
