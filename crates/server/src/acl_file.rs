//! The ACL file (`aclfile`): read at start-up, and by ACL LOAD; written by ACL SAVE. The engine parses and
//! renders the text; this host does the file I/O.

use ferrokey_core::acl::AclFileHost;
use ferrokey_core::config::AclPubsubDefault;
use ferrokey_core::Engine;
use std::io::Write;

/// Reads and writes ACL files on disk for the engine.
pub struct DiskAclFile;

/// The C library's `strerror` text for an I/O error, as Valkey prints it.
fn os_error_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    // Rust appends " (os error N)" to the OS text.
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

impl AclFileHost for DiskAclFile {
    fn read(&mut self, path: &str) -> Result<String, String> {
        let bytes = std::fs::read(path).map_err(|e| os_error_text(&e))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn write(&mut self, path: &str, text: &str) -> Result<(), String> {
        // A temp file beside the target, synced, then renamed over it: a crash leaves the old or the new file.
        let tmp = format!("{path}.tmp-{}", std::process::id());
        let result = (|| -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)?;
            if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
                if let Ok(d) = std::fs::File::open(dir) {
                    let _ = d.sync_all();
                }
            }
            Ok(())
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            crate::warning!("Writing ACL file for ACL SAVE: {}", os_error_text(&e));
            return Err(os_error_text(&e));
        }
        Ok(())
    }
}

/// Installs the file host and, with `aclfile` set, loads the users from it. A file that cannot be read or
/// has errors stops the start-up, as Valkey does (the error, already logged, is returned).
pub fn load_at_startup(eng: &mut Engine) -> Result<(), String> {
    eng.acl.file_host = Some(Box::new(DiskAclFile));
    let path = eng.config.aclfile.clone();
    if path.is_empty() {
        return Ok(());
    }
    let all = eng.config.acl_pubsub_default == AclPubsubDefault::AllChannels;
    let text = match DiskAclFile.read(&path) {
        Ok(t) => t,
        Err(e) => {
            let msg = format!("Error loading ACLs, opening file '{path}': {e}");
            crate::warning!("Aborting ferrokey startup because of ACL errors: {msg}");
            return Err(msg);
        }
    };
    if let Err(errors) = eng.acl.load_text(&path, &text, all) {
        crate::warning!("Aborting ferrokey startup because of ACL errors: {errors}");
        return Err(errors);
    }
    Ok(())
}
