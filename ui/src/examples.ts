// Saved examples: the three live queries of the original Splunk app, and
// troubleshooting searches over Quarry's own stored tables (docs/api.md,
// "Search"). Times in the store are microseconds since the epoch.

export interface QueryExample {
  id: string;
  title: string;
  sql: string;
  reduce: string;
  note: string;
}

export const QUERY_EXAMPLES: readonly QueryExample[] = [
  {
    id: 'os-distribution',
    title: 'OS distribution',
    sql: 'SELECT name, major, minor FROM os_version',
    reduce: "SELECT name || ' ' || major AS distro, count(*) AS hosts FROM results GROUP BY distro ORDER BY hosts DESC",
    note: 'Which operating systems the fleet runs, one bar per distribution.',
  },
  {
    id: 'deleted-binaries',
    title: 'Processes whose binary is gone',
    sql: 'SELECT pid, name, path FROM processes WHERE on_disk = 0',
    reduce: 'SELECT host, count(*) AS processes FROM results GROUP BY host ORDER BY processes DESC',
    note: 'Running processes whose executable was deleted from disk: a classic sign of tampering.',
  },
  {
    id: 'root-logins',
    title: 'Root logins in the last hour',
    sql: "SELECT * FROM last WHERE username = 'root' AND time > (SELECT unix_time FROM time) - 3600",
    reduce: 'SELECT host, count(*) AS logins FROM results GROUP BY host ORDER BY logins DESC',
    note: 'Logins as root during the past hour, per host.',
  },
];

export interface SearchExample {
  id: string;
  title: string;
  sql: string;
}

export const SEARCH_EXAMPLES: readonly SearchExample[] = [
  {
    id: 'enrollments-per-hour',
    title: 'Enrollments per hour',
    sql: `SELECT strftime('%Y-%m-%d %H:00', at_us / 1000000, 'unixepoch') AS hour,
       count(*) AS enrollments,
       sum(re_enrollment) AS re_enrollments,
       count(DISTINCT host_id) AS hosts
FROM enrollments
GROUP BY hour
ORDER BY hour DESC`,
  },
  {
    id: 'failed-queries',
    title: 'Failed queries with messages',
    sql: `SELECT rh.run_id, h.hostname, rh.status, rh.message,
       datetime(rh.finished_us / 1000000, 'unixepoch') AS failed_at,
       r.submitted_by, r.sql
FROM run_hosts rh
JOIN runs r ON r.id = rh.run_id
JOIN hosts h ON h.id = rh.host_id
WHERE rh.state = 'failed'
ORDER BY rh.finished_us DESC
LIMIT 500`,
  },
  {
    id: 'hosts-not-seen',
    title: 'Hosts not seen in 1 hour',
    sql: `SELECT id, hostname, platform, osquery_version,
       datetime(last_seen_us / 1000000, 'unixepoch') AS last_seen
FROM hosts
WHERE revoked = 0
  AND (last_seen_us IS NULL OR last_seen_us < (unixepoch('now') - 3600) * 1000000)
ORDER BY last_seen_us`,
  },
  {
    id: 'status-log-errors',
    title: 'Status log errors (severity >= 2)',
    sql: `SELECT datetime(s.received_us / 1000000, 'unixepoch') AS received,
       h.hostname, s.severity, s.filename, s.message
FROM status_logs s
JOIN hosts h ON h.id = s.host_id
WHERE s.severity >= 2
ORDER BY s.received_us DESC
LIMIT 500`,
  },
  {
    id: 'queries-per-run',
    title: 'Queries issued per run',
    sql: `SELECT r.id AS run_id, r.submitted_by,
       datetime(r.created_us / 1000000, 'unixepoch') AS created,
       r.status,
       count(rh.host_id) AS targeted,
       sum(rh.picked_up_us IS NOT NULL) AS issued,
       sum(rh.state = 'answered') AS answered,
       sum(rh.state = 'failed') AS failed,
       sum(rh.state = 'expired') AS expired,
       substr(r.sql, 1, 80) AS sql
FROM runs r
LEFT JOIN run_hosts rh ON rh.run_id = r.id
GROUP BY r.id
ORDER BY r.id DESC
LIMIT 200`,
  },
  {
    id: 'result-log-volume',
    title: 'Result log volume per query name',
    sql: `SELECT name,
       count(*) AS lines,
       count(DISTINCT host_id) AS hosts,
       sum(length(data)) AS bytes,
       datetime(max(received_us) / 1000000, 'unixepoch') AS latest
FROM result_logs
GROUP BY name
ORDER BY lines DESC`,
  },
];
