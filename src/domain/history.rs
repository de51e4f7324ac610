//! A record's past as the store keeps it: checks, status changes, passes, and what pruning did.

use super::model::Status;

/// One stored check.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub at: i64,
    pub status: Status,
    pub response_ms: Option<u64>,
    pub http_status: Option<u16>,
    pub disk_used: Option<u64>,
    pub message: Option<String>,
    pub source: super::model::Source,
    /// The poller that made it (None: before pollers were named, or a push).
    pub poller: Option<String>,
}

/// A change of status.
#[derive(Debug, Clone, PartialEq)]
pub struct StateChange {
    pub at: i64,
    pub from: Status,
    pub to: Status,
    pub message: Option<String>,
}

/// A status change with how long the state it left had lasted.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeLine {
    pub change: StateChange,
    /// How long the record was in the `from` state; None when that began before any record.
    pub lasted_seconds: Option<i64>,
}

/// Each change with how long the previous state lasted, counted from the change before it;
/// `began` is when the state before the first change began (a change before the window).
pub fn durations(changes: Vec<StateChange>, began: Option<i64>) -> Vec<ChangeLine> {
    let mut began = began;
    changes
        .into_iter()
        .map(|change| {
            let line = ChangeLine {
                lasted_seconds: began.map(|b| change.at - b),
                change,
            };
            began = Some(line.change.at);
            line
        })
        .collect()
}

/// The last pass of one kind.
#[derive(Debug, Clone, PartialEq)]
pub struct PassInfo {
    /// As stored: `update-hosts`, `update-instances`.
    pub kind: String,
    pub started_at: i64,
    /// None while it runs, or when it was killed before it finished.
    pub duration_ms: Option<i64>,
    pub polled: i64,
    /// Stopped by a signal before every record was checked.
    pub interrupted: bool,
}

/// What `prune` removed and kept.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pruned {
    pub checks_deleted: usize,
    pub days_rolled_up: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_change_says_how_long_the_state_before_it_lasted() {
        let change = |at, from, to| StateChange {
            at,
            from,
            to,
            message: None,
        };
        let lines = durations(
            vec![
                change(100, Status::Online, Status::Offline),
                change(160, Status::Offline, Status::Online),
            ],
            Some(40),
        );
        let lasted: Vec<Option<i64>> = lines.iter().map(|l| l.lasted_seconds).collect();
        assert_eq!(lasted, [Some(60), Some(60)]);
        assert_eq!(
            durations(vec![change(5, Status::Unknown, Status::Online)], None)[0].lasted_seconds,
            None
        );
    }
}
