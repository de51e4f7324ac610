//! The demo fleet's answers, made from the committed fixtures (real answers of the scripts,
//! see `tests/fixtures/README.md`): renamed for each instance, then varied field by field.

use anyhow::{Context as _, Result, bail};
use serde_json::Value;

const WEBOBSERVER: &str = include_str!("../../tests/fixtures/webobserver-instance.json");
const MANAGER_SERVER: &str = include_str!("../../tests/fixtures/servermanager-server.json");
const MANAGER_INSTANCE: &str =
    include_str!("../../tests/fixtures/servermanager-instance-garage-lefebvre.json");
/// `get-info-instance` for a folder without a Dolibarr: the fixture is `old-demo`'s.
pub const OLD_DEMO_GONE: &str = include_str!("../../tests/fixtures/error-wrong-instance-path.txt");
pub const INVALID_HASH: &str = include_str!("../../tests/fixtures/error-invalid-hash.txt");
pub const MISSING_PARAMETER: &str =
    include_str!("../../tests/fixtures/error-missing-parameter.txt");

/// A WebObserver `get-data.php` answer for instance `name`: the fixture (Dolibarr 18.0.4 at
/// boulangerie-martin) with its folders, site and database renamed.
pub fn webobserver(name: &str) -> Result<Value> {
    let text = WEBOBSERVER
        .replace("boulangerie-martin", name)
        .replace("dolibarr_martin", &format!("dolibarr_{}", short(name)));
    serde_json::from_str(&text).context("the WebObserver fixture is not JSON")
}

/// A server-manager `get-info-instance` answer for folder `name`: the fixture (Dolibarr
/// 19.0.3 at garage-lefebvre) renamed.
pub fn manager_instance(name: &str) -> Result<Value> {
    let text = MANAGER_INSTANCE
        .replace("garage-lefebvre", name)
        .replace("lefebvre", short(name));
    serde_json::from_str(&text).context("the server-manager instance fixture is not JSON")
}

/// The server-manager's own document (disk, PHP and MySQL versions).
pub fn manager_server() -> Result<Value> {
    serde_json::from_str(MANAGER_SERVER).context("the server-manager server fixture is not JSON")
}

/// What `get-info-instance` answers for a folder that holds no Dolibarr.
pub fn wrong_instance_path(name: &str) -> String {
    format!("Wrong instance path : /home/client/{name}/dolibarr/htdocs/")
}

/// The last word of a ref, as hosting providers name databases and users
/// (`boulangerie-martin` → `martin`).
fn short(name: &str) -> &str {
    name.rsplit('-').next().unwrap_or(name)
}

/// Sets the value at the JSON `pointer` (`/dolibarr/version`), which must exist: a typo in the
/// demo's story must fail, not leave the fixture's value in place.
pub fn set(doc: &mut Value, pointer: &str, value: impl Into<Value>) -> Result<()> {
    match doc.pointer_mut(pointer) {
        Some(slot) => {
            *slot = value.into();
            Ok(())
        }
        None => bail!("the demo's document has no {pointer}"),
    }
}

/// Removes module `class` (`modTakePos`), which must be there.
pub fn remove_module(doc: &mut Value, class: &str) -> Result<()> {
    let removed = doc
        .get_mut("module")
        .and_then(Value::as_object_mut)
        .and_then(|modules| modules.remove(class));
    match removed {
        Some(_) => Ok(()),
        None => bail!("the demo's document has no module {class}"),
    }
}

/// Adds a core Dolibarr module as the server-manager script lists it (active).
pub fn add_core_module(doc: &mut Value, class: &str, numero: u32) -> Result<()> {
    let dir = doc
        .pointer("/dolibarr/htdocs/path")
        .and_then(Value::as_str)
        .map(|htdocs| format!("{htdocs}/core/modules/"))
        .context("the demo's document has no htdocs folder")?;
    let module = serde_json::json!({
        "dir": dir,
        "numero": numero,
        "version": "dolibarr",
        "source": "core",
        "gitinfos": {"branch": "", "status": null},
        "editor_name": "Dolibarr",
        "editor_url": "https://www.dolibarr.org",
        "active": true
    });
    doc.get_mut("module")
        .and_then(Value::as_object_mut)
        .context("the demo's document has no module list")?
        .insert(class.to_string(), module);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_are_renamed_everywhere() {
        let doc = webobserver("fromagerie-dupont").expect("document");
        let text = doc.to_string();
        assert!(!text.contains("martin"), "{text}");
        assert_eq!(doc["db"]["name"], "dolibarr_dupont");
        assert_eq!(
            doc["dolibarr"]["path"]["http"],
            "https://erp.fromagerie-dupont.fr/"
        );

        let doc = manager_instance("cabinet-durand").expect("document");
        let text = doc.to_string();
        assert!(!text.contains("lefebvre"), "{text}");
        assert_eq!(doc["db"]["user"], "durand");
    }

    #[test]
    fn a_change_to_a_field_that_is_not_there_fails() {
        let mut doc = webobserver("a-b").expect("document");
        set(&mut doc, "/dolibarr/version", "19.0.2").expect("there");
        assert_eq!(doc["dolibarr"]["version"], "19.0.2");
        assert!(set(&mut doc, "/dolibarr/verzion", "19.0.2").is_err());
        assert!(remove_module(&mut doc, "modNothing").is_err());
        remove_module(&mut doc, "modTakePos").expect("there");
        add_core_module(&mut doc, "modTicket", 56000).expect("added");
        assert_eq!(
            doc["module"]["modTicket"]["dir"],
            "/home/client/a-b/dolibarr/htdocs/core/modules/"
        );
    }
}
