//! Export: what leaves examgen — the answer key, the files on disk, the PDFs.

pub mod commit;
pub mod files;
pub mod interrupt;
pub mod key;
pub mod key_csv;
pub mod lock;
pub mod moodle;
pub mod pdf;
pub mod print;
pub mod sorted_json;
pub mod tex_format;
