//! Embeds the directory of the libpython that pyo3 links against as the RUNPATH of this
//! package's test binaries, so they load that library and not another one with the same soname.

fn main() {
    if let Some(dir) = pyo3_build_config::get().lib_dir() {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
}
