// Shapes of the operator API (docs/api.md; src/api/operator_json.cpp).
// Times are microseconds since the epoch (`*_us`); 0 means "not yet".

export type Role = 'viewer' | 'operator' | 'admin';

export interface Who {
  name: string;
  role: Role;
}

export interface Host {
  id: number;
  host_identifier: string;
  hostname: string;
  platform: string;
  platform_type: string;
  os_name: string;
  os_version: string;
  osquery_version: string;
  hardware_uuid: string;
  hardware_serial: string;
  enroll_secret_name: string;
  labels: string[];
  first_enrolled_us: number;
  enrolled_us: number;
  last_seen_us: number;
  last_config_us: number;
  last_log_us: number;
  last_distributed_us: number;
  online: boolean;
  revoked: boolean;
}

export interface HostDetail extends Host {
  host_details: Record<string, Record<string, string>>;
  recent_runs: Table | null;
}

export interface Selector {
  all?: boolean;
  hosts?: (number | string)[];
  platforms?: string[];
  labels?: string[];
}

export type RunStatus = 'running' | 'finished' | 'cancelled' | 'expired';

export interface Run {
  id: number;
  sql: string;
  submitted_by: string;
  selector: Selector;
  reduce: string;
  created_us: number;
  deadline_us: number;
  ended_us: number;
  status: RunStatus;
  progress?: Progress;
  hosts?: RunHost[];
}

export interface Progress {
  targeted: number;
  online: number;
  offline: number;
  pending: number;
  picked_up: number;
  answered: number;
  failed: number;
  expired: number;
  cancelled: number;
  rows: number;
  done: boolean;
}

export type HostState = 'pending' | 'picked_up' | 'answered' | 'failed' | 'expired' | 'cancelled';

export interface RunHost {
  host_id: number;
  hostname: string;
  state: HostState;
  picked_up_us: number;
  finished_us: number;
  status: number;
  message: string;
  rows: number;
  online: boolean;
  stats?: { wall_time_ms: number; user_time: number; system_time: number; memory: number };
}

export interface ResultRow {
  seq: number;
  host_id: number;
  host: string;
  row: Record<string, unknown>;
}

export type Cell = string | number | boolean | null;

export interface Table {
  columns: string[];
  rows: Cell[][];
  truncated: boolean;
}

export interface Label {
  id: number;
  name: string;
  description: string;
  kind: 'manual' | 'dynamic';
  sql: string;
  refresh_seconds: number;
  hosts: number;
  created_us: number;
  updated_us: number;
  host_ids?: number[];
}

export interface TargetCount {
  hosts: number;
  online: number;
  host_ids: number[];
}
