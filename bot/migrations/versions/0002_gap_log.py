"""gap log, answers, referrals and web users

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 12:50:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gap_entries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('conversation_hash', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('candidates', sa.JSON(), nullable=False),
    sa.Column('organisation_id', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('officer_note', sa.Text(), nullable=True),
    sa.Column('linked_service_id', sa.String(length=64), nullable=True),
    sa.Column('reviewed_by', sa.String(length=150), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gap_entries'))
    )
    with op.batch_alter_table('gap_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gap_entries_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_gap_entries_conversation_hash'), ['conversation_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_gap_entries_reason'), ['reason'], unique=False)
        batch_op.create_index(batch_op.f('ix_gap_entries_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gap_entries_status'), ['status'], unique=False)

    op.create_table('answers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('conversation_hash', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers'))
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answers_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_answers_conversation_hash'), ['conversation_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_answers_service_id'), ['service_id'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('staff_user', sa.String(length=150), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('conversation_hash', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_service_id'), ['service_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=150), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )


def downgrade() -> None:
    op.drop_table('users')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_service_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_created_at'))
    op.drop_table('referrals')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answers_service_id'))
        batch_op.drop_index(batch_op.f('ix_answers_conversation_hash'))
        batch_op.drop_index(batch_op.f('ix_answers_created_at'))
    op.drop_table('answers')
    with op.batch_alter_table('gap_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gap_entries_status'))
        batch_op.drop_index(batch_op.f('ix_gap_entries_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_gap_entries_reason'))
        batch_op.drop_index(batch_op.f('ix_gap_entries_conversation_hash'))
        batch_op.drop_index(batch_op.f('ix_gap_entries_created_at'))
    op.drop_table('gap_entries')
