//! Function libraries: what FUNCTION LOAD registered, by library and by function name, with Valkey's
//! rules for replacing, restoring and name collisions (`functions.c`). Function names are found in any
//! case (FCALL TEST calls `test`); library names are exact.

use super::flags::ScriptFlags;
use std::collections::{BTreeMap, HashMap};

pub struct Function<C> {
    pub name: Vec<u8>,
    pub description: Option<Vec<u8>>,
    pub flags: ScriptFlags,
    pub compiled: C,
}

pub struct Library<C> {
    pub name: Vec<u8>,
    /// The whole payload FUNCTION LOAD got, shebang included (FUNCTION LIST WITHCODE, DUMP).
    pub code: Vec<u8>,
    /// By name, so FUNCTION LIST is stable.
    pub functions: BTreeMap<Vec<u8>, Function<C>>,
}

impl<C> Library<C> {
    pub fn new(name: Vec<u8>, code: Vec<u8>) -> Library<C> {
        Library { name, code, functions: BTreeMap::new() }
    }

    /// `register_function` during the library's load.
    pub fn register(&mut self, f: Function<C>) -> Result<(), String> {
        if !super::flags::valid_name(&f.name) {
            return Err(super::flags::INVALID_NAME.into());
        }
        if self.functions.contains_key(&f.name) {
            return Err("Function already exists in the library".into());
        }
        self.functions.insert(f.name.clone(), f);
        Ok(())
    }

    fn memory(&self) -> usize {
        let functions: usize =
            self.functions.values().map(|f| 64 + f.name.len() + f.description.as_ref().map_or(0, |d| d.len())).sum();
        64 + self.name.len() + self.code.len() + functions
    }
}

pub struct Libraries<C> {
    /// By library name.
    libraries: BTreeMap<Vec<u8>, Library<C>>,
    /// Lower-case function name → its library's name.
    functions: HashMap<Vec<u8>, Vec<u8>, foldhash::fast::FixedState>,
}

impl<C> Default for Libraries<C> {
    fn default() -> Self {
        Libraries {
            libraries: BTreeMap::new(),
            functions: HashMap::with_hasher(foldhash::fast::FixedState::with_seed(13)),
        }
    }
}

impl<C> Libraries<C> {
    pub fn library_count(&self) -> usize {
        self.libraries.len()
    }

    pub fn function_count(&self) -> usize {
        self.functions.len()
    }

    pub fn contains(&self, library: &[u8]) -> bool {
        self.libraries.contains_key(library)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Library<C>> {
        self.libraries.values()
    }

    /// The function called `name` (any case) and its library.
    pub fn function(&self, name: &[u8]) -> Option<&Function<C>> {
        let lib = self.functions.get(&name.to_ascii_lowercase())?;
        let lib = self.libraries.get(lib)?;
        lib.functions.values().find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// Adds a freshly loaded library. With `replace`, a library of the same name goes (and is
    /// returned); its functions do not count as collisions. Nothing changes on error.
    pub fn add(&mut self, lib: Library<C>, replace: bool) -> Result<Option<Library<C>>, String> {
        if self.libraries.contains_key(&lib.name) && !replace {
            return Err(format!("Library '{}' already exists", lossy(&lib.name)));
        }
        if lib.functions.is_empty() {
            return Err("No functions registered".into());
        }
        for f in lib.functions.values() {
            if let Some(owner) = self.functions.get(&f.name.to_ascii_lowercase()) {
                if *owner != lib.name {
                    return Err(format!("Function {} already exists", lossy(&f.name)));
                }
            }
        }
        let old = self.remove(&lib.name);
        self.link(lib);
        Ok(old)
    }

    /// FUNCTION DELETE
    pub fn remove(&mut self, name: &[u8]) -> Option<Library<C>> {
        let lib = self.libraries.remove(name)?;
        for f in lib.functions.values() {
            self.functions.remove(&f.name.to_ascii_lowercase());
        }
        Some(lib)
    }

    /// FUNCTION RESTORE APPEND|REPLACE: all of `other`'s libraries or none of them. With `replace`,
    /// libraries of the same name are replaced; without, they are an error. Function name collisions
    /// with libraries that stay are always an error.
    pub fn join(&mut self, other: Libraries<C>, replace: bool) -> Result<(), String> {
        let mut replaced = Vec::new();
        for name in other.libraries.keys() {
            if self.libraries.contains_key(name) {
                if !replace {
                    self.relink(replaced);
                    return Err(format!("Library {} already exists", lossy(name)));
                }
                replaced.extend(self.remove(name));
            }
        }
        for lib in other.libraries.values() {
            for f in lib.functions.values() {
                if self.functions.contains_key(&f.name.to_ascii_lowercase()) {
                    let err = format!("Function {} already exists", lossy(&f.name));
                    self.relink(replaced);
                    return Err(err);
                }
            }
        }
        for (_, lib) in other.libraries {
            self.link(lib);
        }
        Ok(())
    }

    /// Approximate bytes of library bookkeeping (`used_memory_functions`).
    pub fn memory(&self) -> usize {
        self.libraries.values().map(Library::memory).sum::<usize>() + self.functions.len() * 32
    }

    fn link(&mut self, lib: Library<C>) {
        for f in lib.functions.values() {
            self.functions.insert(f.name.to_ascii_lowercase(), lib.name.clone());
        }
        self.libraries.insert(lib.name.clone(), lib);
    }

    fn relink(&mut self, libs: Vec<Library<C>>) {
        for lib in libs {
            self.link(lib);
        }
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lib(name: &str, functions: &[&str]) -> Library<()> {
        let mut l = Library::new(name.into(), format!("#!lua name={name}\n").into_bytes());
        for f in functions {
            l.register(Function {
                name: f.as_bytes().to_vec(),
                description: None,
                flags: ScriptFlags::NONE,
                compiled: (),
            })
            .unwrap();
        }
        l
    }

    #[test]
    fn function_lookup_ignores_case() {
        let mut libs = Libraries::default();
        libs.add(lib("l", &["test"]), false).unwrap();
        assert!(libs.function(b"TEST").is_some());
        assert!(libs.function(b"other").is_none());
    }

    #[test]
    fn add_rejects_existing_library_collisions_and_empty_libraries() {
        let mut libs = Libraries::default();
        libs.add(lib("a", &["f1"]), false).unwrap();
        assert_eq!(libs.add(lib("a", &["f2"]), false).err().unwrap(), "Library 'a' already exists");
        assert_eq!(libs.add(lib("b", &["f1"]), false).err().unwrap(), "Function f1 already exists");
        assert_eq!(libs.add(lib("b", &[]), false).err().unwrap(), "No functions registered");
        assert!(libs.add(lib("a", &["f1", "f2"]), true).unwrap().is_some());
        assert_eq!(libs.function_count(), 2);
    }

    #[test]
    fn register_rejects_duplicates_and_bad_names() {
        let mut l = lib("a", &["f"]);
        let f = |n: &str| Function {
            name: n.as_bytes().to_vec(),
            description: None,
            flags: ScriptFlags::NONE,
            compiled: (),
        };
        assert_eq!(l.register(f("f")).unwrap_err(), "Function already exists in the library");
        assert_eq!(l.register(f("")).unwrap_err(), super::super::flags::INVALID_NAME);
    }

    #[test]
    fn join_is_all_or_nothing() {
        let mut libs = Libraries::default();
        libs.add(lib("lib1", &["f6"]), false).unwrap();
        libs.add(lib("lib2", &["f3", "f4"]), false).unwrap();
        let mut dump = Libraries::default();
        dump.add(lib("lib1", &["f1", "f2", "f3"]), false).unwrap();
        assert_eq!(libs.join(dump, false).unwrap_err(), "Library lib1 already exists");
        let mut dump = Libraries::default();
        dump.add(lib("lib1", &["f1", "f2", "f3"]), false).unwrap();
        assert_eq!(libs.join(dump, true).unwrap_err(), "Function f3 already exists");
        assert!(libs.function(b"f6").is_some());
        assert_eq!(libs.library_count(), 2);
    }
}
