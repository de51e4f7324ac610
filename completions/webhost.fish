# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_webhost_global_optspecs
    string join \n db= poller= db-mode= json q/quiet v/verbose color= h/help V/version
end

function __fish_webhost_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_webhost_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_webhost_using_subcommand
    set -l cmd (__fish_webhost_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c webhost -n "__fish_webhost_needs_command" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_needs_command" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_needs_command" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_needs_command" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_needs_command" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_needs_command" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_needs_command" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_needs_command" -s V -l version -d 'Print version'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "host" -d 'Manage hosts (servers)'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "instance" -d 'Manage instances (web applications, usually Dolibarr)'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "update-hosts" -d 'Poll every enabled host once (one cron line)'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "update-instances" -d 'Poll every enabled instance once (one cron line)'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "modules" -d 'Which modules the Dolibarr instances have, at which versions, active or not'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "versions" -d 'How many instances run each Dolibarr version, newest first'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "status" -d 'The fleet at a glance: counts, what is down, disks, certificates, stale passes'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "disks" -d 'Disks that will fill: growth per day and when each reaches its thresholds, soonest first'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "history" -d 'The checks and status changes of one record'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "changes" -d 'Inventory changes across the fleet: Dolibarr upgrades, modules added, removed, upgraded'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "prune" -d 'Delete old raw checks, keeping daily roll-ups, status changes and inventory changes'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "export" -d 'Print every record\'s settings (not their state) as JSON or CSV, to back up or copy a fleet'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "import" -d 'Create or update records from a file written by `export` (JSON or CSV), all or nothing'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "migrate" -d 'Copy a SQLite database into an empty PostgreSQL one: records, settings, history, tokens'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "check" -d 'Nagios/Icinga plugin: one record\'s health as OK, WARNING, CRITICAL or UNKNOWN'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "metrics" -d 'Every enabled record\'s state and the last passes, in the Prometheus text format'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "report" -d 'Write the fleet\'s status page: one self-contained HTML file'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "sla" -d 'Each record\'s availability over a month, against a target: an SLA statement'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "config" -d 'Settings stored in the database (the change hook and its thresholds)'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "maintenance" -d 'Maintenance windows: planned work during which a record raises no alert'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "completions" -d 'Print shell completions for bash, zsh or fish'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "man" -d 'Print the man page (roff), or write every page into a folder'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "demo" -d 'A first look: a made-up fleet on 127.0.0.1, polled for a working day; its status and page'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "receive" -d 'Receive one push from an instance\'s WebObserver, as a CGI program'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "serve" -d 'Receive WebObserver\'s pushes in a small HTTP server (behind a TLS reverse proxy)'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "advisories" -d 'Known vulnerabilities, offline: import advisories in osv.dev\'s format, list them'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "audit" -d 'Which instances run a version with a known vulnerability (from imported advisories)'
complete -c webhost -n "__fish_webhost_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "add" -d 'Add a host'
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "list" -d 'List hosts'
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "ls" -d 'List hosts'
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "show" -d 'Show every field of one host: settings, state, disk, certificate'
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "edit" -d 'Change a host\'s settings'
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "remove" -d 'Delete a host and its history (and, with --cascade, its instances)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "rm" -d 'Delete a host and its history (and, with --cascade, its instances)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "enable" -d 'Turn monitoring on for a host'
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "disable" -d 'Turn monitoring off for a host (it keeps its history)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l api -d 'Monitoring API the host speaks' -r -f -a "server-observer-v1\t'Dolibarr\'s ServerObserver / WebObserver script'
server-manager-v1\t'The server-manager script: a host lists its instances; an instance is asked through its host'
custom\t'Your own probe: an external command speaking JSON'"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l url -d 'URL of the monitoring script (http or https)' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l token-file -d 'Read the API token from a file (first line)' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l token -d 'The API token itself (visible to other users in `ps`; prefer --token-stdin)' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l label -d 'Free text shown beside the ref' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l probe -d 'For --api custom: the probe program and its arguments (run without a shell; put last)' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l insecure-tls -d 'Accept an invalid TLS certificate (self-signed, expired, for another name) for this record only' -r -f -a "true\t''
false\t''"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l ca-file -d 'Trust the CA certificates of this PEM file too, besides the machine\'s (an internal CA); read now to check it, and at each pass' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l disk-warn -d 'Disk warning threshold: a share of the partition (85%) or an amount used (5G), at most --disk-crit; `default` is 80%' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l disk-crit -d 'Disk critical threshold, like --disk-warn; `default` is 90%' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l cert-warn-days -d 'Warn when the TLS certificate expires within this many days, at least --cert-crit-days; `default` is 21' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l cert-crit-days -d 'Critical when the TLS certificate expires within this many days; `default` is 7' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l expect-status -d 'Online only on these HTTP statuses, e.g. 200,301 (`any`: any 2xx or 3xx, the default)' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l expect-body -d 'The page must match this regular expression (e.g. a word of the real page)' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l reject-body -d 'The page must not match this regular expression (a maintenance page, a PHP fatal error)' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l max-response -d 'Slower answers make the health warning (the record stays online); `default`: no limit' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l method -d 'ping: the request method (GET, HEAD, OPTIONS, DELETE) [default: GET]' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l header -d 'ping: an extra request header, \'Name: value\' (repeatable; replaces the stored ones)' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l token-stdin -d 'Read the API token from standard input (first line)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l disabled -d 'Add it with monitoring off'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l no-insecure-tls -d 'Refuse an invalid TLS certificate (the default), as --insecure-tls false does'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l no-ca-file -d 'Trust only the machine\'s CA certificates (and the ca-file setting): forget --ca-file'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l no-expect-body -d 'Forget --expect-body'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l no-reject-body -d 'Forget --reject-body'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l no-headers -d 'ping: forget the extra headers'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from list" -l status -d 'Only records with this status' -r -f -a "unknown\t'Never checked'
online\t'Answered with a usable document'
offline\t'No usable answer: refused, DNS, timeout, TLS, 5xx (and for ping any non 2xx/3xx)'
error\t'Answered, but the monitoring API is unusable: auth rejected, not JSON, wrong shape'
missing\t'A discovered instance its server no longer lists'
unreachable\t'An instance that failed while its host was offline or in error'"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from list" -l health -d 'Only records with this health' -r -f -a "ok\t''
warning\t''
critical\t''
unknown\t''"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from list" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from list" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from list" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from list" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from list" -l enabled -d 'Only records with monitoring on'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from list" -l disabled -d 'Only records with monitoring off'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from list" -l uptime -d 'Add uptime over 24 h, 7 d and 30 d (reads the history: slower on big fleets)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from ls" -l status -d 'Only records with this status' -r -f -a "unknown\t'Never checked'
online\t'Answered with a usable document'
offline\t'No usable answer: refused, DNS, timeout, TLS, 5xx (and for ping any non 2xx/3xx)'
error\t'Answered, but the monitoring API is unusable: auth rejected, not JSON, wrong shape'
missing\t'A discovered instance its server no longer lists'
unreachable\t'An instance that failed while its host was offline or in error'"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from ls" -l health -d 'Only records with this health' -r -f -a "ok\t''
warning\t''
critical\t''
unknown\t''"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from ls" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from ls" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from ls" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from ls" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from ls" -l enabled -d 'Only records with monitoring on'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from ls" -l disabled -d 'Only records with monitoring off'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from ls" -l uptime -d 'Add uptime over 24 h, 7 d and 30 d (reads the history: slower on big fleets)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from ls" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from show" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from show" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from show" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from show" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from show" -l show-token -d 'Show the API token too (it is hidden otherwise, in tables and in JSON)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l api -d 'New monitoring API kind' -r -f -a "server-observer-v1\t'Dolibarr\'s ServerObserver / WebObserver script'
server-manager-v1\t'The server-manager script: a host lists its instances; an instance is asked through its host'
custom\t'Your own probe: an external command speaking JSON'"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l rename -d 'New ref' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l url -d 'New monitoring URL' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l token-file -d 'Read the API token from a file (first line)' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l token -d 'The API token itself (visible to other users in `ps`; prefer --token-stdin)' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l label -d 'New label (empty text removes it)' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l probe -d 'New custom probe command and arguments (put last)' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l insecure-tls -d 'Accept an invalid TLS certificate (self-signed, expired, for another name) for this record only' -r -f -a "true\t''
false\t''"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l ca-file -d 'Trust the CA certificates of this PEM file too, besides the machine\'s (an internal CA); read now to check it, and at each pass' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l disk-warn -d 'Disk warning threshold: a share of the partition (85%) or an amount used (5G), at most --disk-crit; `default` is 80%' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l disk-crit -d 'Disk critical threshold, like --disk-warn; `default` is 90%' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l cert-warn-days -d 'Warn when the TLS certificate expires within this many days, at least --cert-crit-days; `default` is 21' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l cert-crit-days -d 'Critical when the TLS certificate expires within this many days; `default` is 7' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l expect-status -d 'Online only on these HTTP statuses, e.g. 200,301 (`any`: any 2xx or 3xx, the default)' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l expect-body -d 'The page must match this regular expression (e.g. a word of the real page)' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l reject-body -d 'The page must not match this regular expression (a maintenance page, a PHP fatal error)' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l max-response -d 'Slower answers make the health warning (the record stays online); `default`: no limit' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l method -d 'ping: the request method (GET, HEAD, OPTIONS, DELETE) [default: GET]' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l header -d 'ping: an extra request header, \'Name: value\' (repeatable; replaces the stored ones)' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l token-stdin -d 'Read the API token from standard input (first line)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l clear-token -d 'Remove the stored token'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l no-insecure-tls -d 'Refuse an invalid TLS certificate (the default), as --insecure-tls false does'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l no-ca-file -d 'Trust only the machine\'s CA certificates (and the ca-file setting): forget --ca-file'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l no-expect-body -d 'Forget --expect-body'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l no-reject-body -d 'Forget --reject-body'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l no-headers -d 'ping: forget the extra headers'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from edit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from remove" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from remove" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from remove" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from remove" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from remove" -l cascade -d 'Also delete the instances that belong to it'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from remove" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from rm" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from rm" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from rm" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from rm" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from rm" -l cascade -d 'Also delete the instances that belong to it'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from rm" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from enable" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from enable" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from enable" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from enable" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from enable" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from enable" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from enable" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from disable" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from disable" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from disable" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from disable" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from disable" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from disable" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from disable" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a host'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "list" -d 'List hosts'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show every field of one host: settings, state, disk, certificate'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "edit" -d 'Change a host\'s settings'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Delete a host and its history (and, with --cascade, its instances)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Turn monitoring on for a host'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Turn monitoring off for a host (it keeps its history)'
complete -c webhost -n "__fish_webhost_using_subcommand host; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "add" -d 'Add an instance'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "list" -d 'List instances'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "ls" -d 'List instances'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "show" -d 'Show every field of one instance, with its modules'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "edit" -d 'Change an instance\'s settings'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "remove" -d 'Delete an instance and its history'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "rm" -d 'Delete an instance and its history'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "enable" -d 'Turn monitoring on for an instance'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "disable" -d 'Turn monitoring off for an instance (it keeps its history)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and not __fish_seen_subcommand_from add list ls show edit remove rm enable disable help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l api -d 'Monitoring API the instance speaks' -r -f -a "ping\t'A plain GET of any site: online status, HTTP status, response time (instances only)'
server-observer-v1\t'Dolibarr\'s ServerObserver / WebObserver script'
server-manager-v1\t'The server-manager script: a host lists its instances; an instance is asked through its host'
custom\t'Your own probe: an external command speaking JSON'"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l url -d 'URL to check (not for server-manager-v1, which uses its host\'s URL)' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l token-file -d 'Read the API token from a file (first line)' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l token -d 'The API token itself (visible to other users in `ps`; prefer --token-stdin)' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l host -d 'Host the instance lives on (required for server-manager-v1)' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l remote-name -d 'The instance\'s folder name on its server [default: the ref]' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l push-grace -d 'With --push: offline after this long without a push [default: 5m]' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l label -d 'Free text shown beside the ref' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l probe -d 'For --api custom: the probe program and its arguments (run without a shell; put last)' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l insecure-tls -d 'Accept an invalid TLS certificate (self-signed, expired, for another name) for this record only' -r -f -a "true\t''
false\t''"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l ca-file -d 'Trust the CA certificates of this PEM file too, besides the machine\'s (an internal CA); read now to check it, and at each pass' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l disk-warn -d 'Disk warning threshold: a share of the partition (85%) or an amount used (5G), at most --disk-crit; `default` is 80%' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l disk-crit -d 'Disk critical threshold, like --disk-warn; `default` is 90%' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l cert-warn-days -d 'Warn when the TLS certificate expires within this many days, at least --cert-crit-days; `default` is 21' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l cert-crit-days -d 'Critical when the TLS certificate expires within this many days; `default` is 7' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l expect-status -d 'Online only on these HTTP statuses, e.g. 200,301 (`any`: any 2xx or 3xx, the default)' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l expect-body -d 'The page must match this regular expression (e.g. a word of the real page)' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l reject-body -d 'The page must not match this regular expression (a maintenance page, a PHP fatal error)' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l max-response -d 'Slower answers make the health warning (the record stays online); `default`: no limit' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l method -d 'ping: the request method (GET, HEAD, OPTIONS, DELETE) [default: GET]' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l header -d 'ping: an extra request header, \'Name: value\' (repeatable; replaces the stored ones)' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l token-stdin -d 'Read the API token from standard input (first line)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l push -d 'Fed by WebObserver\'s pushes (server-observer-v1): passes check only that one came within --push-grace'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l no-push -d 'Fetched by passes again (pushes are still taken)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l disabled -d 'Add it with monitoring off'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l no-insecure-tls -d 'Refuse an invalid TLS certificate (the default), as --insecure-tls false does'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l no-ca-file -d 'Trust only the machine\'s CA certificates (and the ca-file setting): forget --ca-file'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l no-expect-body -d 'Forget --expect-body'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l no-reject-body -d 'Forget --reject-body'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l no-headers -d 'ping: forget the extra headers'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from list" -l host -d 'Only the instances on this host' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from list" -l status -d 'Only records with this status' -r -f -a "unknown\t'Never checked'
online\t'Answered with a usable document'
offline\t'No usable answer: refused, DNS, timeout, TLS, 5xx (and for ping any non 2xx/3xx)'
error\t'Answered, but the monitoring API is unusable: auth rejected, not JSON, wrong shape'
missing\t'A discovered instance its server no longer lists'
unreachable\t'An instance that failed while its host was offline or in error'"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from list" -l health -d 'Only records with this health' -r -f -a "ok\t''
warning\t''
critical\t''
unknown\t''"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from list" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from list" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from list" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from list" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from list" -l enabled -d 'Only records with monitoring on'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from list" -l disabled -d 'Only records with monitoring off'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from list" -l uptime -d 'Add uptime over 24 h, 7 d and 30 d (reads the history: slower on big fleets)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from ls" -l host -d 'Only the instances on this host' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from ls" -l status -d 'Only records with this status' -r -f -a "unknown\t'Never checked'
online\t'Answered with a usable document'
offline\t'No usable answer: refused, DNS, timeout, TLS, 5xx (and for ping any non 2xx/3xx)'
error\t'Answered, but the monitoring API is unusable: auth rejected, not JSON, wrong shape'
missing\t'A discovered instance its server no longer lists'
unreachable\t'An instance that failed while its host was offline or in error'"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from ls" -l health -d 'Only records with this health' -r -f -a "ok\t''
warning\t''
critical\t''
unknown\t''"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from ls" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from ls" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from ls" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from ls" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from ls" -l enabled -d 'Only records with monitoring on'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from ls" -l disabled -d 'Only records with monitoring off'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from ls" -l uptime -d 'Add uptime over 24 h, 7 d and 30 d (reads the history: slower on big fleets)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from ls" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from show" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from show" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from show" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from show" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from show" -l show-token -d 'Show the API token too (it is hidden otherwise, in tables and in JSON)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l api -d 'New monitoring API kind' -r -f -a "ping\t'A plain GET of any site: online status, HTTP status, response time (instances only)'
server-observer-v1\t'Dolibarr\'s ServerObserver / WebObserver script'
server-manager-v1\t'The server-manager script: a host lists its instances; an instance is asked through its host'
custom\t'Your own probe: an external command speaking JSON'"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l rename -d 'New ref' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l url -d 'New monitoring URL' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l token-file -d 'Read the API token from a file (first line)' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l token -d 'The API token itself (visible to other users in `ps`; prefer --token-stdin)' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l label -d 'New label (empty text removes it)' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l probe -d 'New custom probe command and arguments (put last)' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l insecure-tls -d 'Accept an invalid TLS certificate (self-signed, expired, for another name) for this record only' -r -f -a "true\t''
false\t''"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l ca-file -d 'Trust the CA certificates of this PEM file too, besides the machine\'s (an internal CA); read now to check it, and at each pass' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l disk-warn -d 'Disk warning threshold: a share of the partition (85%) or an amount used (5G), at most --disk-crit; `default` is 80%' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l disk-crit -d 'Disk critical threshold, like --disk-warn; `default` is 90%' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l cert-warn-days -d 'Warn when the TLS certificate expires within this many days, at least --cert-crit-days; `default` is 21' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l cert-crit-days -d 'Critical when the TLS certificate expires within this many days; `default` is 7' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l expect-status -d 'Online only on these HTTP statuses, e.g. 200,301 (`any`: any 2xx or 3xx, the default)' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l expect-body -d 'The page must match this regular expression (e.g. a word of the real page)' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l reject-body -d 'The page must not match this regular expression (a maintenance page, a PHP fatal error)' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l max-response -d 'Slower answers make the health warning (the record stays online); `default`: no limit' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l method -d 'ping: the request method (GET, HEAD, OPTIONS, DELETE) [default: GET]' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l header -d 'ping: an extra request header, \'Name: value\' (repeatable; replaces the stored ones)' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l host -d 'Move it to this host' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l remote-name -d 'New folder name on its server' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l push-grace -d 'With --push: offline after this long without a push [default: 5m]' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l token-stdin -d 'Read the API token from standard input (first line)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l clear-token -d 'Remove the stored token'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l no-insecure-tls -d 'Refuse an invalid TLS certificate (the default), as --insecure-tls false does'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l no-ca-file -d 'Trust only the machine\'s CA certificates (and the ca-file setting): forget --ca-file'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l no-expect-body -d 'Forget --expect-body'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l no-reject-body -d 'Forget --reject-body'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l no-headers -d 'ping: forget the extra headers'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l no-host -d 'Detach it from its host'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l push -d 'Fed by WebObserver\'s pushes (server-observer-v1): passes check only that one came within --push-grace'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l no-push -d 'Fetched by passes again (pushes are still taken)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from edit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from remove" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from remove" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from remove" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from remove" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from remove" -l forget -d 'Leave nothing behind, so that update-hosts adds it again while its server lists it'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from remove" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from rm" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from rm" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from rm" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from rm" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from rm" -l forget -d 'Leave nothing behind, so that update-hosts adds it again while its server lists it'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from rm" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from enable" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from enable" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from enable" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from enable" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from enable" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from enable" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from enable" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from disable" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from disable" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from disable" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from disable" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from disable" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from disable" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from disable" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add an instance'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from help" -f -a "list" -d 'List instances'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show every field of one instance, with its modules'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from help" -f -a "edit" -d 'Change an instance\'s settings'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Delete an instance and its history'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Turn monitoring on for an instance'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Turn monitoring off for an instance (it keeps its history)'
complete -c webhost -n "__fish_webhost_using_subcommand instance; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -s j -l jobs -d 'How many records are checked at once' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l per-host-jobs -d 'How many of those requests may go to one server-manager host at once (its instances all go through its script)' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l timeout -d 'Limit for one check, from DNS to the last byte: 10s, 500ms, 2m' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l max-answer-size -d 'Largest answer accepted, in bytes after decompression (suffixes K, M, G)' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l ref -d 'Poll only this record (repeatable); disabled records are never polled' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l keep-days -d 'After the pass, delete raw checks older than this many days (as `prune` does)' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l failure-threshold -d 'Alert only after N consecutive failed checks [default: 1, or `config set failure-threshold`]' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l success-threshold -d 'Report a recovery only after N consecutive good checks [default: 1]' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l remind-every -d 'Re-send the alert while a record stays down: 6h, 1d' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l hook-timeout -d 'Limit for one run of the change hook (it is killed then, with what it started)' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l on-change -d 'Run this command (no shell) once per status change, with the event as JSON on stdin and in WEBHOST_* variables [default: `config set on-change`]. Put it last' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l dry-run -d 'List what would be polled, without polling'
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l fail-on-down -d 'Exit 3 when a polled record is offline, error, missing or unreachable (so cron mails someone)'
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand update-hosts" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -s j -l jobs -d 'How many records are checked at once' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l per-host-jobs -d 'How many of those requests may go to one server-manager host at once (its instances all go through its script)' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l timeout -d 'Limit for one check, from DNS to the last byte: 10s, 500ms, 2m' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l max-answer-size -d 'Largest answer accepted, in bytes after decompression (suffixes K, M, G)' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l ref -d 'Poll only this record (repeatable); disabled records are never polled' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l keep-days -d 'After the pass, delete raw checks older than this many days (as `prune` does)' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l failure-threshold -d 'Alert only after N consecutive failed checks [default: 1, or `config set failure-threshold`]' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l success-threshold -d 'Report a recovery only after N consecutive good checks [default: 1]' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l remind-every -d 'Re-send the alert while a record stays down: 6h, 1d' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l hook-timeout -d 'Limit for one run of the change hook (it is killed then, with what it started)' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l on-change -d 'Run this command (no shell) once per status change, with the event as JSON on stdin and in WEBHOST_* variables [default: `config set on-change`]. Put it last' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l dry-run -d 'List what would be polled, without polling'
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l fail-on-down -d 'Exit 3 when a polled record is offline, error, missing or unreachable (so cron mails someone)'
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand update-instances" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand modules" -l name -d 'Only this module: its class name or the name without "mod", any case (modSubtotal, subtotal)' -r
complete -c webhost -n "__fish_webhost_using_subcommand modules" -l version-below -d 'Only modules older than this version, compared number by number (3.21.0 < 3.24.1, 1.2 < 1.10)' -r
complete -c webhost -n "__fish_webhost_using_subcommand modules" -l instance -d 'Only modules of this instance (repeatable)' -r
complete -c webhost -n "__fish_webhost_using_subcommand modules" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand modules" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand modules" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand modules" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand modules" -l active -d 'Only modules that are switched on'
complete -c webhost -n "__fish_webhost_using_subcommand modules" -l flat -d 'One row per instance and module (instance, module, version, active, source)'
complete -c webhost -n "__fish_webhost_using_subcommand modules" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand modules" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand modules" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand modules" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand versions" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand versions" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand versions" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand versions" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand versions" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand versions" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand versions" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand versions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand status" -l stale -d 'A pass older than this means cron has stopped: 30m, 2h' -r
complete -c webhost -n "__fish_webhost_using_subcommand status" -l certs -d 'How many certificates to list, soonest to expire first' -r
complete -c webhost -n "__fish_webhost_using_subcommand status" -l forecasts -d 'How many disks to list that will reach a threshold or fill, soonest first (0: none)' -r
complete -c webhost -n "__fish_webhost_using_subcommand status" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand status" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand status" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand status" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand status" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand status" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand status" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand status" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand disks" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand disks" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand disks" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand disks" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand disks" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand disks" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand disks" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand disks" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand history" -l since -d 'How far back: 30m, 24h, 7d' -r
complete -c webhost -n "__fish_webhost_using_subcommand history" -l limit -d 'At most this many checks (newest first)' -r
complete -c webhost -n "__fish_webhost_using_subcommand history" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand history" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand history" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand history" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand history" -l host -d 'REF names a host (when a host and an instance share the name)'
complete -c webhost -n "__fish_webhost_using_subcommand history" -l instance -d 'REF names an instance (when a host and an instance share the name)'
complete -c webhost -n "__fish_webhost_using_subcommand history" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand history" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand history" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand history" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand changes" -l since -d 'How far back: 30m, 24h, 7d' -r
complete -c webhost -n "__fish_webhost_using_subcommand changes" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand changes" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand changes" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand changes" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand changes" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand changes" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand changes" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand changes" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand prune" -l older-than -d 'Delete raw checks older than this (rounded down to a UTC midnight): 90d' -r
complete -c webhost -n "__fish_webhost_using_subcommand prune" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand prune" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand prune" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand prune" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand prune" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand prune" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand prune" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand prune" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand export" -l format -d 'Output format (CSV: a header row, empty cells for none, probe as a JSON array)' -r -f -a "json\t'A JSON array of objects'
csv\t'A header row, then one row per record'
toml\t'A fleet file ([[host]] and [[instance]] tables) to edit and import --sync'"
complete -c webhost -n "__fish_webhost_using_subcommand export" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand export" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand export" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand export" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand export" -l with-tokens -d 'Include the API tokens and the secrets inside URLs (they are left out otherwise)'
complete -c webhost -n "__fish_webhost_using_subcommand export" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand export" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand export" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand import" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand import" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand import" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand import" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand import" -l dry-run -d 'Show what would be created, updated, disabled and removed (and which fields change), without writing'
complete -c webhost -n "__fish_webhost_using_subcommand import" -l sync -d 'The file is the whole fleet: stored records it does not name are disabled (instances a host\'s discovery created are left to it). A second run of the same file changes nothing'
complete -c webhost -n "__fish_webhost_using_subcommand import" -l prune -d 'With --sync: remove the records the file does not name, with their history, instead of disabling them'
complete -c webhost -n "__fish_webhost_using_subcommand import" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand import" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand import" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand migrate" -l from -d 'The SQLite database to copy: sqlite:PATH, or a plain path' -r
complete -c webhost -n "__fish_webhost_using_subcommand migrate" -l to -d 'The empty PostgreSQL database to fill: postgres://USER@HOST/DB' -r
complete -c webhost -n "__fish_webhost_using_subcommand migrate" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand migrate" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand migrate" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand migrate" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand migrate" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand migrate" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand migrate" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand check" -l max-age -d 'UNKNOWN when the last stored check is older than this (cron has stopped): 15m, 1h' -r
complete -c webhost -n "__fish_webhost_using_subcommand check" -l timeout -d 'With --live: limit for the check, from DNS to the last byte' -r
complete -c webhost -n "__fish_webhost_using_subcommand check" -s w -l warning -d 'WARNING when the response time is outside RANGE (inside, after @): a Nagios range in milliseconds unless a bound says s or ms, e.g. 1000 (over 1000 ms), 1.5s, 200: (under 200 ms), 200:2s, @200:500. Also the warn field of the `response` perfdata' -r
complete -c webhost -n "__fish_webhost_using_subcommand check" -s c -l critical -d 'CRITICAL when the response time is outside RANGE (as for --warning). Also the crit field of the `response` perfdata' -r
complete -c webhost -n "__fish_webhost_using_subcommand check" -l forecast -d 'WARNING when the disk forecast (as `webhost disks` gives it) reaches a threshold, or full, within this time: 14d' -r
complete -c webhost -n "__fish_webhost_using_subcommand check" -l maintenance -d 'In a maintenance window: `ok` (OK, "in maintenance until ..."), `warn` (WARNING, the same words) or `ignore` (judged as if there were no window)' -r -f -a "ok\t'OK: "in maintenance until ..."'
warn\t'WARNING: "in maintenance until ..."'
ignore\t'Judged as if there were no window'"
complete -c webhost -n "__fish_webhost_using_subcommand check" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand check" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand check" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand check" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand check" -l fleet -d 'Judge the whole fleet instead of one record: CRITICAL when an enabled record is offline or in error, WARNING when a poller stopped (no pass for an hour) or a pass is stale, else OK'
complete -c webhost -n "__fish_webhost_using_subcommand check" -l host -d 'REF names a host (when a host and an instance share the name)'
complete -c webhost -n "__fish_webhost_using_subcommand check" -l instance -d 'REF names an instance (when a host and an instance share the name)'
complete -c webhost -n "__fish_webhost_using_subcommand check" -l live -d 'Check the record now instead of reading the stored state (the result is not stored)'
complete -c webhost -n "__fish_webhost_using_subcommand check" -l audit -d 'Also judge an instance\'s known vulnerabilities (see `webhost audit`): an affecting advisory of critical severity makes it CRITICAL, one of high severity WARNING'
complete -c webhost -n "__fish_webhost_using_subcommand check" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand check" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand check" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand metrics" -l output -d 'Write to this file instead of stdout, atomically (a temp file beside it, then a rename), mode 0644' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand metrics" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand metrics" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand metrics" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand metrics" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand metrics" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand metrics" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand metrics" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand metrics" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand report" -l html -d 'Write the page to this file, atomically (a temp file beside it, then a rename), mode 0644' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand report" -l since -d 'The window for uptime, response times, the uptime strip and changes: 24h, 7d, 30d' -r
complete -c webhost -n "__fish_webhost_using_subcommand report" -l only -d 'Only these hosts or instances (one customer\'s page); an unknown ref is an error' -r
complete -c webhost -n "__fish_webhost_using_subcommand report" -l host -d 'Only this host and its instances (repeatable)' -r
complete -c webhost -n "__fish_webhost_using_subcommand report" -l stale -d 'A pass older than this is flagged as stale (cron has stopped): 30m, 2h' -r
complete -c webhost -n "__fish_webhost_using_subcommand report" -l lang -d 'With --public: the page\'s language [default: from LC_ALL, LC_MESSAGES or LANG; else en]' -r -f -a "en\t''
fr\t''"
complete -c webhost -n "__fish_webhost_using_subcommand report" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand report" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand report" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand report" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand report" -l public -d 'For customers: leave out URLs, folders, messages that quote server output, versions, the module inventory and disks (tokens are never in a report)'
complete -c webhost -n "__fish_webhost_using_subcommand report" -l with-versions -d 'With --public: show Dolibarr versions (each instance\'s, and their changes)'
complete -c webhost -n "__fish_webhost_using_subcommand report" -l with-modules -d 'With --public: show the module inventory and its changes'
complete -c webhost -n "__fish_webhost_using_subcommand report" -l with-disks -d 'With --public: show disk usage'
complete -c webhost -n "__fish_webhost_using_subcommand report" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand report" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand report" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand sla" -l month -d 'The month, in UTC: 2026-11' -r
complete -c webhost -n "__fish_webhost_using_subcommand sla" -l ref -d 'Only these hosts or instances; an unknown ref is an error' -r
complete -c webhost -n "__fish_webhost_using_subcommand sla" -l host -d 'Only this host and its instances (repeatable): one customer\'s statement' -r
complete -c webhost -n "__fish_webhost_using_subcommand sla" -l target -d 'The availability to reach, in percent' -r
complete -c webhost -n "__fish_webhost_using_subcommand sla" -l html -d 'Write the customer\'s statement page to this file instead, atomically, mode 0644' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand sla" -l lang -d 'The page\'s language [default: from LC_ALL, LC_MESSAGES or LANG; else en]' -r -f -a "en\t''
fr\t''"
complete -c webhost -n "__fish_webhost_using_subcommand sla" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand sla" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand sla" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand sla" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand sla" -l csv -d 'Print CSV (one row per record) instead of a table'
complete -c webhost -n "__fish_webhost_using_subcommand sla" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand sla" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand sla" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand sla" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand config; and not __fish_seen_subcommand_from set get unset list help" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand config; and not __fish_seen_subcommand_from set get unset list help" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand config; and not __fish_seen_subcommand_from set get unset list help" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand config; and not __fish_seen_subcommand_from set get unset list help" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand config; and not __fish_seen_subcommand_from set get unset list help" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand config; and not __fish_seen_subcommand_from set get unset list help" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand config; and not __fish_seen_subcommand_from set get unset list help" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand config; and not __fish_seen_subcommand_from set get unset list help" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand config; and not __fish_seen_subcommand_from set get unset list help" -f -a "set" -d 'Store a setting: on-change CMD [ARGS...], failure-threshold N, success-threshold N, remind-every DURATION, hook-batch N, connectivity-check HOST:PORT..., ca-file PEM'
complete -c webhost -n "__fish_webhost_using_subcommand config; and not __fish_seen_subcommand_from set get unset list help" -f -a "get" -d 'Print one setting'
complete -c webhost -n "__fish_webhost_using_subcommand config; and not __fish_seen_subcommand_from set get unset list help" -f -a "unset" -d 'Remove a setting'
complete -c webhost -n "__fish_webhost_using_subcommand config; and not __fish_seen_subcommand_from set get unset list help" -f -a "list" -d 'Print every setting'
complete -c webhost -n "__fish_webhost_using_subcommand config; and not __fish_seen_subcommand_from set get unset list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from set" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from set" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from set" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from set" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from set" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from get" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from get" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from get" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from get" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from get" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from get" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from get" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from unset" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from unset" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from unset" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from unset" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from unset" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from unset" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from unset" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from unset" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from list" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from list" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from list" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from list" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "set" -d 'Store a setting: on-change CMD [ARGS...], failure-threshold N, success-threshold N, remind-every DURATION, hook-batch N, connectivity-check HOST:PORT..., ca-file PEM'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "get" -d 'Print one setting'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "unset" -d 'Remove a setting'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "list" -d 'Print every setting'
complete -c webhost -n "__fish_webhost_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and not __fish_seen_subcommand_from add list remove rm help" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and not __fish_seen_subcommand_from add list remove rm help" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and not __fish_seen_subcommand_from add list remove rm help" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and not __fish_seen_subcommand_from add list remove rm help" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and not __fish_seen_subcommand_from add list remove rm help" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and not __fish_seen_subcommand_from add list remove rm help" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and not __fish_seen_subcommand_from add list remove rm help" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and not __fish_seen_subcommand_from add list remove rm help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and not __fish_seen_subcommand_from add list remove rm help" -f -a "add" -d 'Add a window: one-off (--from, --until or --for) or recurring (--every, --for)'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and not __fish_seen_subcommand_from add list remove rm help" -f -a "list" -d 'The windows: what each covers, when, and whether it is in force now'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and not __fish_seen_subcommand_from add list remove rm help" -f -a "remove" -d 'Remove a window by its id (as `list` shows it)'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and not __fish_seen_subcommand_from add list remove rm help" -f -a "rm" -d 'Remove a window by its id (as `list` shows it)'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and not __fish_seen_subcommand_from add list remove rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -l ref -d 'These hosts or instances (a host\'s window covers its instances)' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -l host -d 'This host and every instance on it' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -l from -d 'Start, local time: `2027-03-28 02:00` [default: now]' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -l until -d 'End, local time (or give --for)' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -l for -d 'How long it lasts: 2h, 30m' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -l every -d 'Recurring: `DAY HH:MM` local, DAY one of mon tue wed thu fri sat sun, or daily ("sun 02:00", "daily 23:30"); needs --for' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -l reason -d 'Why: shown by `list` and `check`' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -l all -d 'Every record'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from list" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from list" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from list" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from list" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from remove" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from remove" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from remove" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from remove" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from remove" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from rm" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from rm" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from rm" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from rm" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from rm" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a window: one-off (--from, --until or --for) or recurring (--every, --for)'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from help" -f -a "list" -d 'The windows: what each covers, when, and whether it is in force now'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a window by its id (as `list` shows it)'
complete -c webhost -n "__fish_webhost_using_subcommand maintenance; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c webhost -n "__fish_webhost_using_subcommand completions" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand completions" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand completions" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand completions" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand completions" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand completions" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand completions" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand completions" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand man" -l dir -d 'Write every page into this folder (created if need be), e.g. ~/.local/share/man/man1' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand man" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand man" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand man" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand man" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand man" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand man" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand man" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand demo" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand demo" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand demo" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand demo" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand demo" -l keep -d 'Keep the temp folder (database and status page) and print how to explore it'
complete -c webhost -n "__fish_webhost_using_subcommand demo" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand demo" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand demo" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand receive" -l max-body -d 'Largest push accepted (413 beyond)' -r
complete -c webhost -n "__fish_webhost_using_subcommand receive" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand receive" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand receive" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand receive" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand receive" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand receive" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand receive" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand receive" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand serve" -l listen -d 'Address and port to listen on (keep it on loopback behind the reverse proxy)' -r
complete -c webhost -n "__fish_webhost_using_subcommand serve" -l threads -d 'Threads that take requests (each with its own database connection)' -r
complete -c webhost -n "__fish_webhost_using_subcommand serve" -l max-body -d 'Largest push accepted (413 beyond)' -r
complete -c webhost -n "__fish_webhost_using_subcommand serve" -l client-timeout -d 'A client that sends nothing for this long is dropped' -r
complete -c webhost -n "__fish_webhost_using_subcommand serve" -l hook-timeout -d 'Limit for one run of the change hook after a push changed a status' -r
complete -c webhost -n "__fish_webhost_using_subcommand serve" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand serve" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand serve" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand serve" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand serve" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand serve" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand serve" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and not __fish_seen_subcommand_from import list help" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and not __fish_seen_subcommand_from import list help" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and not __fish_seen_subcommand_from import list help" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and not __fish_seen_subcommand_from import list help" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and not __fish_seen_subcommand_from import list help" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and not __fish_seen_subcommand_from import list help" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and not __fish_seen_subcommand_from import list help" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and not __fish_seen_subcommand_from import list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and not __fish_seen_subcommand_from import list help" -f -a "import" -d 'Import OSV advisories: JSON files, folders of them, or osv.dev\'s per-ecosystem zip'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and not __fish_seen_subcommand_from import list help" -f -a "list" -d 'The stored advisories, overrides applied: id, severity, what fixes it, summary'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and not __fish_seen_subcommand_from import list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from import" -l overrides -d 'The overrides file to store (TOML, or JSON when named *.json)' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from import" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from import" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from import" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from import" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from import" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from import" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from list" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from list" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from list" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from list" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import OSV advisories: JSON files, folders of them, or osv.dev\'s per-ecosystem zip'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from help" -f -a "list" -d 'The stored advisories, overrides applied: id, severity, what fixes it, summary'
complete -c webhost -n "__fish_webhost_using_subcommand advisories; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c webhost -n "__fish_webhost_using_subcommand audit" -l by -d 'Group the rows by advisory or by instance (JSON: the order of `findings`)' -r -f -a "advisory\t'Each advisory with the instances it affects'
instance\t'Each instance with the advisories that affect it'"
complete -c webhost -n "__fish_webhost_using_subcommand audit" -l severity -d 'Only advisories of this severity or worse (those of unknown severity are left out)' -r -f -a "low\t''
medium\t''
high\t''
critical\t''"
complete -c webhost -n "__fish_webhost_using_subcommand audit" -l host -d 'Only the instances of this host (repeatable)' -r
complete -c webhost -n "__fish_webhost_using_subcommand audit" -l db -d 'SQLite database file, or a PostgreSQL server shared by several pollers (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE) [default: $XDG_DATA_HOME/webhost/webhost.db]' -r -F
complete -c webhost -n "__fish_webhost_using_subcommand audit" -l poller -d 'This machine\'s name among several pollers of one database: every check it stores says so [default: the host name]' -r
complete -c webhost -n "__fish_webhost_using_subcommand audit" -l db-mode -d 'Mode of a database this run creates (0640: its group may read it); the tokens, in a file of their own beside it, are always 0600' -r
complete -c webhost -n "__fish_webhost_using_subcommand audit" -l color -d 'When to use colours (NO_COLOR in the environment means never for `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c webhost -n "__fish_webhost_using_subcommand audit" -l json -d 'Print machine-readable JSON instead of tables'
complete -c webhost -n "__fish_webhost_using_subcommand audit" -s q -l quiet -d 'Print nothing but errors (and requested data)'
complete -c webhost -n "__fish_webhost_using_subcommand audit" -s v -l verbose -d 'Say more about what is being done, on stderr'
complete -c webhost -n "__fish_webhost_using_subcommand audit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "host" -d 'Manage hosts (servers)'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "instance" -d 'Manage instances (web applications, usually Dolibarr)'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "update-hosts" -d 'Poll every enabled host once (one cron line)'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "update-instances" -d 'Poll every enabled instance once (one cron line)'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "modules" -d 'Which modules the Dolibarr instances have, at which versions, active or not'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "versions" -d 'How many instances run each Dolibarr version, newest first'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "status" -d 'The fleet at a glance: counts, what is down, disks, certificates, stale passes'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "disks" -d 'Disks that will fill: growth per day and when each reaches its thresholds, soonest first'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "history" -d 'The checks and status changes of one record'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "changes" -d 'Inventory changes across the fleet: Dolibarr upgrades, modules added, removed, upgraded'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "prune" -d 'Delete old raw checks, keeping daily roll-ups, status changes and inventory changes'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "export" -d 'Print every record\'s settings (not their state) as JSON or CSV, to back up or copy a fleet'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "import" -d 'Create or update records from a file written by `export` (JSON or CSV), all or nothing'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "migrate" -d 'Copy a SQLite database into an empty PostgreSQL one: records, settings, history, tokens'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "check" -d 'Nagios/Icinga plugin: one record\'s health as OK, WARNING, CRITICAL or UNKNOWN'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "metrics" -d 'Every enabled record\'s state and the last passes, in the Prometheus text format'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "report" -d 'Write the fleet\'s status page: one self-contained HTML file'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "sla" -d 'Each record\'s availability over a month, against a target: an SLA statement'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "config" -d 'Settings stored in the database (the change hook and its thresholds)'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "maintenance" -d 'Maintenance windows: planned work during which a record raises no alert'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "completions" -d 'Print shell completions for bash, zsh or fish'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "man" -d 'Print the man page (roff), or write every page into a folder'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "demo" -d 'A first look: a made-up fleet on 127.0.0.1, polled for a working day; its status and page'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "receive" -d 'Receive one push from an instance\'s WebObserver, as a CGI program'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "serve" -d 'Receive WebObserver\'s pushes in a small HTTP server (behind a TLS reverse proxy)'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "advisories" -d 'Known vulnerabilities, offline: import advisories in osv.dev\'s format, list them'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "audit" -d 'Which instances run a version with a known vulnerability (from imported advisories)'
complete -c webhost -n "__fish_webhost_using_subcommand help; and not __fish_seen_subcommand_from host instance update-hosts update-instances modules versions status disks history changes prune export import migrate check metrics report sla config maintenance completions man demo receive serve advisories audit help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from host" -f -a "add" -d 'Add a host'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from host" -f -a "list" -d 'List hosts'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from host" -f -a "show" -d 'Show every field of one host: settings, state, disk, certificate'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from host" -f -a "edit" -d 'Change a host\'s settings'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from host" -f -a "remove" -d 'Delete a host and its history (and, with --cascade, its instances)'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from host" -f -a "enable" -d 'Turn monitoring on for a host'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from host" -f -a "disable" -d 'Turn monitoring off for a host (it keeps its history)'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from instance" -f -a "add" -d 'Add an instance'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from instance" -f -a "list" -d 'List instances'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from instance" -f -a "show" -d 'Show every field of one instance, with its modules'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from instance" -f -a "edit" -d 'Change an instance\'s settings'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from instance" -f -a "remove" -d 'Delete an instance and its history'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from instance" -f -a "enable" -d 'Turn monitoring on for an instance'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from instance" -f -a "disable" -d 'Turn monitoring off for an instance (it keeps its history)'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "set" -d 'Store a setting: on-change CMD [ARGS...], failure-threshold N, success-threshold N, remind-every DURATION, hook-batch N, connectivity-check HOST:PORT..., ca-file PEM'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "get" -d 'Print one setting'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "unset" -d 'Remove a setting'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "list" -d 'Print every setting'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from maintenance" -f -a "add" -d 'Add a window: one-off (--from, --until or --for) or recurring (--every, --for)'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from maintenance" -f -a "list" -d 'The windows: what each covers, when, and whether it is in force now'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from maintenance" -f -a "remove" -d 'Remove a window by its id (as `list` shows it)'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from advisories" -f -a "import" -d 'Import OSV advisories: JSON files, folders of them, or osv.dev\'s per-ecosystem zip'
complete -c webhost -n "__fish_webhost_using_subcommand help; and __fish_seen_subcommand_from advisories" -f -a "list" -d 'The stored advisories, overrides applied: id, severity, what fixes it, summary'
