//! Export: what leaves examgen — the answer key, the files on disk, the PDFs.

pub mod files;
pub mod key;
pub mod key_csv;
pub mod pdf;
