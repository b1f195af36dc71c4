"""Notifications first, campaigns: ``actions.priority``, ``reports.net_key``/``campaign_id``, the
``campaigns`` table, and the campaign's IP blocks (``ip_blocks``, ``zone_locks``) (issue 20
items 2, 9, 10).

Revision ID: 0003
Revises: 0001 (the coordinator chains it after 0002 when both land)
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('net_key', sa.String(length=64), nullable=False),
    sa.Column('first_at', sa.DateTime(), nullable=False),
    sa.Column('last_at', sa.DateTime(), nullable=False),
    sa.Column('announced_at', sa.DateTime(), nullable=True),
    sa.Column('digest_due_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_net_key'), ['net_key'], unique=False)
    op.create_table('ip_blocks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('zone_id', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ip_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ip_blocks_zone_id'), ['zone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ip_blocks_address'), ['address'], unique=False)
    op.create_table('zone_locks',
    sa.Column('zone_id', sa.String(length=64), nullable=False),
    sa.Column('owner', sa.BigInteger(), nullable=True),
    sa.Column('until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('zone_id')
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('net_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_index(batch_op.f('ix_reports_net_key'), ['net_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_foreign_key('fk_reports_campaign_id', 'campaigns', ['campaign_id'], ['id'])
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_index('ix_actions_claim_priority', ['status', 'priority', 'due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index('ix_actions_claim_priority')
        batch_op.drop_column('priority')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint('fk_reports_campaign_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reports_campaign_id'))
        batch_op.drop_index(batch_op.f('ix_reports_net_key'))
        batch_op.drop_column('campaign_id')
        batch_op.drop_column('net_key')
    op.drop_table('zone_locks')
    with op.batch_alter_table('ip_blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ip_blocks_address'))
        batch_op.drop_index(batch_op.f('ix_ip_blocks_zone_id'))
    op.drop_table('ip_blocks')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_net_key'))
    op.drop_table('campaigns')
