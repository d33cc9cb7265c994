import { ColumnDef, IndexDef, TableDef } from './ddl.builder';

/**
 * The original DOrc tables the monitor reads and writes, with the original column names.
 * Frozen: later changes go into new migrations, never here, because these definitions are what
 * an already-migrated database contains.
 */
export const DORC_TABLES: TableDef[] = [
  {
    name: 'Project',
    columns: [
      { name: 'Id', kind: 'id' },
      { name: 'Name', kind: 'varchar(255)', notNull: true },
      { name: 'Description', kind: 'text' },
    ],
  },
  {
    name: 'Environment',
    columns: [
      { name: 'Id', kind: 'id' },
      { name: 'Name', kind: 'varchar(255)', notNull: true },
      { name: 'IsProd', kind: 'bool', notNull: true, default: false },
      { name: 'OwnerEmail', kind: 'varchar(255)' },
    ],
  },
  {
    name: 'Script',
    columns: [
      { name: 'Id', kind: 'id' },
      { name: 'Name', kind: 'varchar(255)', notNull: true },
      { name: 'Path', kind: 'varchar(1024)', notNull: true },
      { name: 'NonProdOnly', kind: 'bool', notNull: true, default: false },
    ],
  },
  {
    name: 'Component',
    columns: [
      { name: 'Id', kind: 'id' },
      { name: 'Name', kind: 'varchar(255)', notNull: true },
      { name: 'ParentId', kind: 'int' },
      { name: 'IsEnabled', kind: 'bool', notNull: true, default: true },
      { name: 'StopOnFailure', kind: 'bool', notNull: true, default: false },
      { name: 'ScriptId', kind: 'int' },
      { name: 'ComponentType', kind: 'varchar(64)' },
    ],
    foreignKeys: [
      { columns: ['ParentId'], table: 'Component', refColumns: ['Id'] },
      { columns: ['ScriptId'], table: 'Script', refColumns: ['Id'] },
    ],
  },
  {
    name: 'ProjectComponent',
    columns: [
      { name: 'ProjectId', kind: 'int', notNull: true },
      { name: 'ComponentId', kind: 'int', notNull: true },
    ],
    primaryKey: ['ProjectId', 'ComponentId'],
    foreignKeys: [
      { columns: ['ProjectId'], table: 'Project', refColumns: ['Id'] },
      { columns: ['ComponentId'], table: 'Component', refColumns: ['Id'] },
    ],
  },
  {
    name: 'DeploymentRequest',
    columns: [
      { name: 'Id', kind: 'id' },
      { name: 'RequestDetails', kind: 'text' },
      { name: 'UserName', kind: 'varchar(255)' },
      { name: 'RequestedTime', kind: 'datetime' },
      { name: 'StartedTime', kind: 'datetime' },
      { name: 'CompletedTime', kind: 'datetime' },
      { name: 'Status', kind: 'varchar(32)', notNull: true },
      { name: 'Log', kind: 'text' },
      { name: 'IsProd', kind: 'bool', notNull: true, default: false },
      { name: 'Project', kind: 'varchar(255)' },
      { name: 'Environment', kind: 'varchar(255)' },
      { name: 'BuildNumber', kind: 'varchar(255)' },
      { name: 'Components', kind: 'text' },
      { name: 'UNCLogPath', kind: 'varchar(1024)' },
      { name: 'CancelledBy', kind: 'varchar(255)' },
      { name: 'CancelledTime', kind: 'datetime' },
      { name: 'EnvironmentOwnerEmail', kind: 'varchar(255)' },
    ],
  },
  {
    // No foreign keys on the deployment tables: the monitor writes them on its hot path and
    // tools delete old requests; the catalogue keys above are where integrity pays.
    name: 'DeploymentResult',
    columns: [
      { name: 'Id', kind: 'id' },
      { name: 'DeploymentRequestId', kind: 'int', notNull: true },
      { name: 'ComponentId', kind: 'int', notNull: true },
      { name: 'Log', kind: 'text' },
      { name: 'Status', kind: 'varchar(32)', notNull: true },
      { name: 'StartedTime', kind: 'datetime' },
      { name: 'CompletedTime', kind: 'datetime' },
    ],
  },
];

export const DORC_INDEXES: IndexDef[] = [
  { table: 'Project', columns: ['Name'], unique: true },
  { table: 'Environment', columns: ['Name'], unique: true },
  { table: 'Script', columns: ['Name'], unique: true },
  { table: 'Component', columns: ['Name'], unique: true },
  // The poll: work of one tier by status, then the lowest Id per environment.
  { table: 'DeploymentRequest', columns: ['Status', 'IsProd'] },
  { table: 'DeploymentRequest', columns: ['Environment', 'Id'] },
  { table: 'DeploymentResult', columns: ['DeploymentRequestId'] },
];

/** HA additions to DeploymentRequest (all nullable or defaulted: old rows stay valid). */
export const HA_REQUEST_COLUMNS: ColumnDef[] = [
  { name: 'OwnerId', kind: 'varchar(255)' },
  { name: 'Epoch', kind: 'bigint' },
  { name: 'LeaseExpiresAt', kind: 'bigint' },
  { name: 'Attempt', kind: 'int', notNull: true, default: 0 },
];

export const ENVIRONMENT_LOCK_TABLE: TableDef = {
  name: 'EnvironmentLock',
  columns: [
    { name: 'Environment', kind: 'varchar(255)', notNull: true },
    { name: 'Epoch', kind: 'bigint', notNull: true },
    { name: 'OwnerId', kind: 'varchar(255)' },
    { name: 'AcquiredAt', kind: 'bigint' },
  ],
  primaryKey: ['Environment'],
};
