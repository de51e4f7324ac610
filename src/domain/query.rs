//! Which records and modules a reading command asks the store for.

use super::model::Status;

/// Which records `list` returns.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Instances on this host (for hosts: this host).
    pub host: Option<String>,
    pub status: Option<Status>,
    pub enabled: Option<bool>,
    /// Only these refs (empty: all).
    pub refs: Vec<String>,
    /// Instances: Some(false) leaves out those fed by pushes (a pass does not fetch them),
    /// Some(true) keeps only those.
    pub push: Option<bool>,
}

impl Filter {
    /// The enabled records of a pass, all of them or those of `refs`.
    pub fn pass(refs: &[String]) -> Filter {
        Filter {
            enabled: Some(true),
            refs: refs.to_vec(),
            push: Some(false),
            ..Filter::default()
        }
    }
}

/// Which modules `installed_modules` returns.
#[derive(Debug, Clone, Default)]
pub struct ModuleFilter {
    /// A class name (`modSubtotal`) or the name without `mod` (`subtotal`), any case.
    pub name: Option<String>,
    pub active_only: bool,
    /// Only these instance refs (empty: all).
    pub instances: Vec<String>,
}
