//! Schema migrations, applied in order by comparing `PRAGMA user_version`.
//! Append only: a released migration is never edited, the next change is a new entry.

pub const MIGRATIONS: &[&str] = &[
    // 1: records, their check history and instance modules.
    "
    CREATE TABLE hosts (
        id                   INTEGER PRIMARY KEY,
        ref                  TEXT NOT NULL UNIQUE,
        label                TEXT,
        api_kind             TEXT NOT NULL,
        url                  TEXT,
        token                TEXT,
        probe                TEXT,            -- JSON array: program then arguments
        enabled              INTEGER NOT NULL DEFAULT 1,
        insecure_tls         INTEGER NOT NULL DEFAULT 0,
        created_at           INTEGER NOT NULL, -- Unix seconds, UTC, as every time here
        status               TEXT NOT NULL DEFAULT 'unknown',
        status_since         INTEGER,
        message              TEXT,
        last_check_at        INTEGER,
        last_success_at      INTEGER,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        response_ms          INTEGER,
        http_status          INTEGER,
        disk_used            INTEGER,          -- bytes
        disk_total           INTEGER,          -- bytes
        disk_partial         INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE instances (
        id                   INTEGER PRIMARY KEY,
        ref                  TEXT NOT NULL UNIQUE,
        label                TEXT,
        api_kind             TEXT NOT NULL,
        url                  TEXT,
        token                TEXT,
        probe                TEXT,
        enabled              INTEGER NOT NULL DEFAULT 1,
        insecure_tls         INTEGER NOT NULL DEFAULT 0,
        created_at           INTEGER NOT NULL,
        status               TEXT NOT NULL DEFAULT 'unknown',
        status_since         INTEGER,
        message              TEXT,
        last_check_at        INTEGER,
        last_success_at      INTEGER,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        response_ms          INTEGER,
        http_status          INTEGER,
        disk_used            INTEGER,
        disk_total           INTEGER,
        disk_partial         INTEGER NOT NULL DEFAULT 0,
        host_id              INTEGER REFERENCES hosts(id),
        remote_name          TEXT,
        discovered           INTEGER NOT NULL DEFAULT 0,
        missing              INTEGER NOT NULL DEFAULT 0,
        dolibarr_version     TEXT,
        users_all            INTEGER,
        users_active         INTEGER,
        last_login           TEXT
    );
    CREATE INDEX instances_host ON instances(host_id);
    CREATE TABLE checks (
        id           INTEGER PRIMARY KEY,
        host_id      INTEGER REFERENCES hosts(id) ON DELETE CASCADE,
        instance_id  INTEGER REFERENCES instances(id) ON DELETE CASCADE,
        at           INTEGER NOT NULL,
        status       TEXT NOT NULL,
        response_ms  INTEGER,
        http_status  INTEGER,
        disk_used    INTEGER,
        disk_total   INTEGER,
        message      TEXT,
        CHECK ((host_id IS NULL) <> (instance_id IS NULL))
    );
    CREATE INDEX checks_host ON checks(host_id, at);
    CREATE INDEX checks_instance ON checks(instance_id, at);
    CREATE TABLE modules (
        instance_id  INTEGER NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
        name         TEXT NOT NULL,
        version      TEXT,
        active       INTEGER NOT NULL,
        source       TEXT,
        editor       TEXT,
        PRIMARY KEY (instance_id, name)
    ) WITHOUT ROWID;
    ",
    // 2: every pass itself, so a missed cron run or a slow pass shows up later.
    "
    CREATE TABLE passes (
        id           INTEGER PRIMARY KEY,
        kind         TEXT NOT NULL,           -- 'hosts' or 'instances'
        started_at   INTEGER NOT NULL,
        duration_ms  INTEGER,
        polled       INTEGER NOT NULL DEFAULT 0,
        online       INTEGER NOT NULL DEFAULT 0,
        offline      INTEGER NOT NULL DEFAULT 0,
        error        INTEGER NOT NULL DEFAULT 0,
        missing      INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX passes_kind ON passes(kind, started_at);
    ",
    // 3: state changes, inventory changes, daily roll-ups that outlive pruning,
    // per-record thresholds, and TLS certificate expiry.
    "
    CREATE TABLE state_changes (
        id           INTEGER PRIMARY KEY,
        host_id      INTEGER REFERENCES hosts(id) ON DELETE CASCADE,
        instance_id  INTEGER REFERENCES instances(id) ON DELETE CASCADE,
        at           INTEGER NOT NULL,
        from_status  TEXT NOT NULL,
        to_status    TEXT NOT NULL,
        message      TEXT,
        CHECK ((host_id IS NULL) <> (instance_id IS NULL))
    );
    CREATE INDEX state_changes_host ON state_changes(host_id, at);
    CREATE INDEX state_changes_instance ON state_changes(instance_id, at);
    CREATE TABLE inventory_changes (
        id           INTEGER PRIMARY KEY,
        instance_id  INTEGER NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
        at           INTEGER NOT NULL,
        subject      TEXT NOT NULL,           -- 'dolibarr' or a module class name
        change       TEXT NOT NULL,           -- upgraded, downgraded, added, removed, activated, deactivated
        old_value    TEXT,
        new_value    TEXT
    );
    CREATE INDEX inventory_changes_at ON inventory_changes(at);
    CREATE INDEX inventory_changes_instance ON inventory_changes(instance_id, at);
    CREATE TABLE daily (
        host_id          INTEGER REFERENCES hosts(id) ON DELETE CASCADE,
        instance_id      INTEGER REFERENCES instances(id) ON DELETE CASCADE,
        day              INTEGER NOT NULL,     -- Unix seconds of 00:00 UTC
        checks           INTEGER NOT NULL,
        failures         INTEGER NOT NULL,
        up_seconds       INTEGER NOT NULL,
        observed_seconds INTEGER NOT NULL,
        response_ms_sum  INTEGER NOT NULL,
        response_count   INTEGER NOT NULL,
        CHECK ((host_id IS NULL) <> (instance_id IS NULL))
    );
    CREATE UNIQUE INDEX daily_host ON daily(host_id, day) WHERE host_id IS NOT NULL;
    CREATE UNIQUE INDEX daily_instance ON daily(instance_id, day) WHERE instance_id IS NOT NULL;
    CREATE INDEX checks_at ON checks(at);
    ALTER TABLE hosts ADD COLUMN disk_warn TEXT;       -- '85%' or bytes; NULL: the default
    ALTER TABLE hosts ADD COLUMN disk_crit TEXT;
    ALTER TABLE hosts ADD COLUMN cert_warn_days INTEGER;
    ALTER TABLE hosts ADD COLUMN cert_crit_days INTEGER;
    ALTER TABLE hosts ADD COLUMN cert_expires_at INTEGER;
    ALTER TABLE hosts ADD COLUMN cert_error TEXT;
    ALTER TABLE instances ADD COLUMN disk_warn TEXT;
    ALTER TABLE instances ADD COLUMN disk_crit TEXT;
    ALTER TABLE instances ADD COLUMN cert_warn_days INTEGER;
    ALTER TABLE instances ADD COLUMN cert_crit_days INTEGER;
    ALTER TABLE instances ADD COLUMN cert_expires_at INTEGER;
    ALTER TABLE instances ADD COLUMN cert_error TEXT;
    ",
    // 4: alerting on change: settings stored once, and per-record counters and the last
    // status alerted, so thresholds and reminders work across cron runs.
    "
    CREATE TABLE config (
        key    TEXT PRIMARY KEY,
        value  TEXT NOT NULL
    );
    ALTER TABLE hosts ADD COLUMN consecutive_successes INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE hosts ADD COLUMN alerted_status TEXT;
    ALTER TABLE hosts ADD COLUMN alerted_at INTEGER;
    ALTER TABLE instances ADD COLUMN consecutive_successes INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE instances ADD COLUMN alerted_status TEXT;
    ALTER TABLE instances ADD COLUMN alerted_at INTEGER;
    ",
    // 5: a pass whose every check failed to connect blames the poller, not the records.
    "ALTER TABLE passes ADD COLUMN poller_offline INTEGER NOT NULL DEFAULT 0;",
    // 6: a record's checks by time carry their status, so uptime reads the index alone (a
    // month of checks was 8,640 row lookups); and an instance's check no longer takes a
    // NULL entry in the host index (nor a host's in the instance index).
    "
    DROP INDEX checks_host;
    DROP INDEX checks_instance;
    CREATE INDEX checks_host ON checks(host_id, at, status) WHERE host_id IS NOT NULL;
    CREATE INDEX checks_instance ON checks(instance_id, at, status) WHERE instance_id IS NOT NULL;
    ",
    // 7: a digest of an instance's stored module list, so a steady pass compares 16 bytes
    // instead of reading ~80 module rows back per instance.
    "ALTER TABLE instances ADD COLUMN modules_digest BLOB;",
    // 8: an alert is kept until its hook succeeds: decided and stored with the check that
    // raised it, delivered after the pass, retried by the next passes (a bounded number of
    // times) when its hook could not start or failed. A deliverer claims alerts for a while,
    // so two passes never send one twice. And a pass cut short by a signal says so.
    "
    CREATE TABLE alerts (
        id           INTEGER PRIMARY KEY,
        created_at   INTEGER NOT NULL,
        event        TEXT NOT NULL,           -- the event as the hook receives it (JSON)
        command      TEXT NOT NULL,           -- the hook to run: program then arguments (JSON)
        attempts     INTEGER NOT NULL DEFAULT 0,
        last_error   TEXT,
        claimed_at   INTEGER,                 -- a deliverer holds it since then
        claimed_by   TEXT
    );
    ALTER TABLE passes ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
    -- The last pass is the one started last, whatever the clock said when it started.
    CREATE INDEX passes_kind_order ON passes(kind);
    ",
    // 9: the tokens move to a file of their own (`webhost.secrets.db`, always 0600), so the
    // state may be shared with a group; a record's row only says whether it has one. The
    // `token` column stays, emptied by the first writer after this migration.
    "
    ALTER TABLE hosts ADD COLUMN has_token INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE instances ADD COLUMN has_token INTEGER NOT NULL DEFAULT 0;
    UPDATE hosts SET has_token = 1 WHERE token IS NOT NULL;
    UPDATE instances SET has_token = 1 WHERE token IS NOT NULL;
    ",
    // 10: the names of discovered instances the user removed while their server still listed
    // them, so that discovery does not create them again; each goes when its server stops
    // listing it (or `instance remove --forget` says so), and with its host.
    "
    CREATE TABLE tombstones (
        host_id      INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
        remote_name  TEXT NOT NULL,           -- the name its server lists
        ref          TEXT NOT NULL,           -- the ref it had, for `--forget`
        removed_at   INTEGER NOT NULL,
        PRIMARY KEY (host_id, remote_name)
    ) WITHOUT ROWID;
    CREATE INDEX tombstones_ref ON tombstones(ref);
    ",
    // 11: a record's own CA file, trusted besides the machine's roots (an internal CA).
    "
    ALTER TABLE hosts ADD COLUMN ca_file TEXT;
    ALTER TABLE instances ADD COLUMN ca_file TEXT;
    ",
    // 12: instances fed by WebObserver's pushes: whether it is one (not fetched by passes),
    // its grace, when the last push was accepted and the sender's `time` of it (a replay
    // carries the same or an older one); and where each check came from.
    "
    ALTER TABLE instances ADD COLUMN push INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE instances ADD COLUMN push_grace INTEGER;     -- seconds; NULL: the default
    ALTER TABLE instances ADD COLUMN last_push_at INTEGER;
    ALTER TABLE instances ADD COLUMN last_push_time INTEGER;
    ALTER TABLE checks ADD COLUMN source TEXT;               -- 'push'; NULL: a poll
    ",
    // 13: what a record's check asserts beyond "it answered" (statuses, body patterns, a
    // response time, ping's method and headers), as one JSON object; NULL: nothing.
    "
    ALTER TABLE hosts ADD COLUMN assertions TEXT;
    ALTER TABLE instances ADD COLUMN assertions TEXT;
    ",
    // 14: the risky settings WebObserver reports (NULL: not reported) and the version an
    // instance was first installed at.
    "
    ALTER TABLE instances ADD COLUMN install_lock INTEGER;
    ALTER TABLE instances ADD COLUMN main_features_level INTEGER;
    ALTER TABLE instances ADD COLUMN database_pwd_encrypted INTEGER;
    ALTER TABLE instances ADD COLUMN first_version TEXT;
    ",
    // 15: known vulnerabilities, offline: the advisories each imported file, folder or zip
    // gave (a re-import of the same source replaces them), and the one overrides file.
    "
    CREATE TABLE advisories (
        source       TEXT NOT NULL,           -- the absolute path it was imported from
        id           TEXT NOT NULL,
        imported_at  INTEGER NOT NULL,
        body         TEXT NOT NULL,           -- the advisory as webhost reads it (JSON)
        PRIMARY KEY (source, id)
    ) WITHOUT ROWID;
    CREATE TABLE advisory_overrides (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        source       TEXT NOT NULL,
        imported_at  INTEGER NOT NULL,
        body         TEXT NOT NULL            -- the overrides file as webhost reads it (JSON)
    );
    ",
    // 16: disk trends kept as passes go, so forecasts read one row per record instead of a
    // month of checks: the lowest reading of each closed eight-hour stretch (the last 30 days),
    // and per record the open stretch, the latest reading and the last fit. The stretches are
    // filled from the checks already stored; each record's first reading after this refits.
    "
    CREATE TABLE disk_levels (
        host_id      INTEGER REFERENCES hosts(id) ON DELETE CASCADE,
        instance_id  INTEGER REFERENCES instances(id) ON DELETE CASCADE,
        bucket       INTEGER NOT NULL,        -- the stretch's start (domain::forecast::bucket_start)
        low_at       INTEGER NOT NULL,        -- its lowest reading, and when
        low_used     INTEGER NOT NULL,
        readings     INTEGER NOT NULL,
        CHECK ((host_id IS NULL) <> (instance_id IS NULL))
    );
    CREATE UNIQUE INDEX disk_levels_host ON disk_levels(host_id, bucket) WHERE host_id IS NOT NULL;
    CREATE UNIQUE INDEX disk_levels_instance ON disk_levels(instance_id, bucket)
        WHERE instance_id IS NOT NULL;
    CREATE TABLE disk_trends (
        host_id      INTEGER UNIQUE REFERENCES hosts(id) ON DELETE CASCADE,
        instance_id  INTEGER UNIQUE REFERENCES instances(id) ON DELETE CASCADE,
        bucket       INTEGER NOT NULL,        -- the open stretch
        low_at       INTEGER NOT NULL,
        low_used     INTEGER NOT NULL,
        bucket_readings INTEGER NOT NULL,
        last_at      INTEGER NOT NULL,        -- the latest reading
        last_used    INTEGER NOT NULL,
        readings     INTEGER NOT NULL,        -- what the last fit used, since when
        since        INTEGER NOT NULL,
        per_day      REAL,                    -- bytes a day; NULL: too few readings
        jumps        INTEGER NOT NULL,
        CHECK ((host_id IS NULL) <> (instance_id IS NULL))
    );
    -- The same stretches as domain::forecast::bucket_start.
    INSERT INTO disk_levels (host_id, instance_id, bucket, low_at, low_used, readings)
        SELECT host_id, instance_id, bucket, at, min(disk_used), count(*) FROM (
            SELECT host_id, instance_id, at, disk_used,
                at - ((at + ((coalesce(host_id, instance_id) % 28800) * 26161) % 28800) % 28800)
                    AS bucket
            FROM checks
            WHERE disk_used IS NOT NULL
              AND at >= (SELECT max(at) FROM checks) - 30 * 86400)
        GROUP BY host_id, instance_id, bucket;
    ",
    // 17: maintenance windows: one-off (starts_at, ends_at) or recurring (`every` in the time
    // zone it was written in, for `duration` seconds), over every record or those listed (a
    // host's covers its instances).
    "
    CREATE TABLE maintenance (
        id           INTEGER PRIMARY KEY,
        all_records  INTEGER NOT NULL DEFAULT 0,
        starts_at    INTEGER,
        ends_at      INTEGER,
        every        TEXT,                    -- 'sun 02:00', 'daily 23:30'
        duration     INTEGER,                 -- seconds
        tz           TEXT,                    -- IANA name
        reason       TEXT,
        created_at   INTEGER NOT NULL,
        CHECK ((starts_at IS NULL) <> (every IS NULL))
    );
    CREATE TABLE maintenance_records (
        window_id    INTEGER NOT NULL REFERENCES maintenance(id) ON DELETE CASCADE,
        host_id      INTEGER REFERENCES hosts(id) ON DELETE CASCADE,
        instance_id  INTEGER REFERENCES instances(id) ON DELETE CASCADE,
        CHECK ((host_id IS NULL) <> (instance_id IS NULL))
    );
    CREATE INDEX maintenance_records_window ON maintenance_records(window_id);
    CREATE INDEX maintenance_records_host ON maintenance_records(host_id);
    CREATE INDEX maintenance_records_instance ON maintenance_records(instance_id);
    ",
    // 18: several pollers: who made each check and pass, each poller's latest view of each
    // record (the quorum reads it), and the lease a poller holds on a record in `share` mode.
    "
    ALTER TABLE checks ADD COLUMN poller TEXT;
    ALTER TABLE passes ADD COLUMN poller TEXT;
    CREATE INDEX passes_poller ON passes(poller, started_at);
    ALTER TABLE hosts ADD COLUMN claimed_by TEXT;
    ALTER TABLE hosts ADD COLUMN claimed_until INTEGER;
    ALTER TABLE instances ADD COLUMN claimed_by TEXT;
    ALTER TABLE instances ADD COLUMN claimed_until INTEGER;
    CREATE TABLE poller_views (
        host_id      INTEGER REFERENCES hosts(id) ON DELETE CASCADE,
        instance_id  INTEGER REFERENCES instances(id) ON DELETE CASCADE,
        poller       TEXT NOT NULL,
        at           INTEGER NOT NULL,
        status       TEXT NOT NULL,
        message      TEXT,
        CHECK ((host_id IS NULL) <> (instance_id IS NULL))
    );
    CREATE UNIQUE INDEX poller_views_host ON poller_views(host_id, poller)
        WHERE host_id IS NOT NULL;
    CREATE UNIQUE INDEX poller_views_instance ON poller_views(instance_id, poller)
        WHERE instance_id IS NOT NULL;
    ",
];
