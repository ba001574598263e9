//! Rebuilds the binary when a migration is added: `sqlx::migrate!` embeds
//! the files of `migrations/` at compile time.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
