"""Initial store: sources, runs, checkpoints, raw records, resources, provenance, keys, relations. I/O: database.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, not imported from the models, so this revision stays as it was written.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('resource',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('origin', sa.Enum('harvested', 'published', 'arranged', name='origin', native_enum=False, length=20), nullable=False),
    sa.Column('record', JSON_DOCUMENT, nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('feed_hash', sa.String(length=64), nullable=False),
    sa.Column('feed_datestamp', UTC_DATETIME, nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', UTC_DATETIME, nullable=True),
    sa.Column('created_at', UTC_DATETIME, nullable=False),
    sa.Column('updated_at', UTC_DATETIME, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource'))
    )
    op.create_index(op.f('ix_resource_feed_datestamp_id'), 'resource', ['feed_datestamp', 'id'])
    op.create_index(op.f('ix_resource_updated_at'), 'resource', ['updated_at'])

    op.create_table('source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('base_url', sa.Text(), nullable=False),
    sa.Column('metadata_prefix', sa.String(length=64), nullable=False),
    sa.Column('set_spec', sa.Text(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('schedule_cron', sa.String(length=100), nullable=True),
    sa.Column('schedule_minutes', sa.Integer(), nullable=True),
    sa.Column('granularity', sa.Enum('YYYY-MM-DD', 'YYYY-MM-DDThh:mm:ssZ', name='granularity', native_enum=False), nullable=True),
    sa.Column('created_at', UTC_DATETIME, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source')),
    sa.UniqueConstraint('name', name=op.f('uq_source_name'))
    )
    op.create_table('harvest_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('running', 'succeeded', 'failed', 'interrupted', name='runstatus', native_enum=False, length=20), nullable=False),
    sa.Column('full', sa.Boolean(), nullable=False),
    sa.Column('started_at', UTC_DATETIME, nullable=False),
    sa.Column('finished_at', UTC_DATETIME, nullable=True),
    sa.Column('window_from', UTC_DATETIME, nullable=True),
    sa.Column('window_until', UTC_DATETIME, nullable=True),
    sa.Column('response_date', UTC_DATETIME, nullable=True),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('errors', JSON_DOCUMENT, nullable=False),
    sa.Column('updated_at', UTC_DATETIME, nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_harvest_run_source_id_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest_run'))
    )
    op.create_index(op.f('ix_harvest_run_source_id_started_at'), 'harvest_run', ['source_id', 'started_at'])

    op.create_table('provenance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.String(length=36), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('oai_identifier', sa.Text(), nullable=False),
    sa.Column('source_datestamp', UTC_DATETIME, nullable=False),
    sa.Column('record', JSON_DOCUMENT, nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('completeness', sa.Float(), nullable=False),
    sa.Column('harvested_at', UTC_DATETIME, nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', UTC_DATETIME, nullable=True),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_provenance_resource_id_resource'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_provenance_source_id_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provenance')),
    sa.UniqueConstraint('source_id', 'oai_identifier', name=op.f('uq_provenance_source_id_oai_identifier'))
    )
    op.create_index(op.f('ix_provenance_resource_id'), 'provenance', ['resource_id'])

    op.create_table('raw_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('oai_identifier', sa.Text(), nullable=False),
    sa.Column('datestamp', UTC_DATETIME, nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('xml_zlib', sa.LargeBinary(), nullable=False),
    sa.Column('status', sa.Enum('ok', 'failed', 'deleted', name='rawstatus', native_enum=False, length=20), nullable=False),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.Column('fetched_at', UTC_DATETIME, nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_raw_record_source_id_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_raw_record')),
    sa.UniqueConstraint('source_id', 'oai_identifier', 'datestamp', 'sha256', name=op.f('uq_raw_record_source_id_oai_identifier_datestamp_sha256'))
    )
    op.create_table('resource_relation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('target', sa.Text(), nullable=False),
    sa.Column('target_key', sa.Text(), nullable=True),
    sa.Column('target_resource_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_resource_relation_resource_id_resource'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_resource_id'], ['resource.id'], name=op.f('fk_resource_relation_target_resource_id_resource'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_relation'))
    )
    op.create_index(op.f('ix_resource_relation_resource_id'), 'resource_relation', ['resource_id'])
    op.create_index(op.f('ix_resource_relation_target_key'), 'resource_relation', ['target_key'])
    op.create_index(op.f('ix_resource_relation_target_resource_id'), 'resource_relation', ['target_resource_id'])

    op.create_table('checkpoint',
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('resumption_token', sa.Text(), nullable=True),
    sa.Column('cursor', sa.Integer(), nullable=True),
    sa.Column('complete_list_size', sa.Integer(), nullable=True),
    sa.Column('window_from', UTC_DATETIME, nullable=True),
    sa.Column('window_until', UTC_DATETIME, nullable=True),
    sa.Column('last_datestamp', UTC_DATETIME, nullable=True),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('state', JSON_DOCUMENT, nullable=True),
    sa.Column('updated_at', UTC_DATETIME, nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['harvest_run.id'], name=op.f('fk_checkpoint_run_id_harvest_run'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_checkpoint_source_id_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('source_id', name=op.f('pk_checkpoint'))
    )
    op.create_table('resource_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.String(length=36), nullable=False),
    sa.Column('provenance_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('identifier', 'location', name='keykind', native_enum=False, length=20), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['provenance_id'], ['provenance.id'], name=op.f('fk_resource_key_provenance_id_provenance'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_resource_key_resource_id_resource'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_key'))
    )
    op.create_index(op.f('ix_resource_key_provenance_id'), 'resource_key', ['provenance_id'])
    op.create_index(op.f('ix_resource_key_resource_id'), 'resource_key', ['resource_id'])
    op.create_index(op.f('ix_resource_key_value_kind'), 'resource_key', ['value', 'kind'])



def downgrade() -> None:
    op.drop_index(op.f('ix_resource_key_value_kind'), table_name='resource_key')
    op.drop_index(op.f('ix_resource_key_resource_id'), table_name='resource_key')
    op.drop_index(op.f('ix_resource_key_provenance_id'), table_name='resource_key')

    op.drop_table('resource_key')
    op.drop_table('checkpoint')
    op.drop_index(op.f('ix_resource_relation_target_resource_id'), table_name='resource_relation')
    op.drop_index(op.f('ix_resource_relation_target_key'), table_name='resource_relation')
    op.drop_index(op.f('ix_resource_relation_resource_id'), table_name='resource_relation')

    op.drop_table('resource_relation')
    op.drop_table('raw_record')
    op.drop_index(op.f('ix_provenance_resource_id'), table_name='provenance')

    op.drop_table('provenance')
    op.drop_index(op.f('ix_harvest_run_source_id_started_at'), table_name='harvest_run')

    op.drop_table('harvest_run')
    op.drop_table('source')
    op.drop_index(op.f('ix_resource_updated_at'), table_name='resource')
    op.drop_index(op.f('ix_resource_feed_datestamp_id'), table_name='resource')

    op.drop_table('resource')
