//! A class's key rows, made in seating order and read back in class-list order.
//!
//! Students are seated, and so drawn and rendered, in the order of their keys; key.json
//! and key.csv list them in class-list order. Each student's rows wait in a scratch file
//! of the staging directory, found again by their place in it, so memory does not grow
//! with the class.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};

/// Records written in any order, each under its index.
pub(super) struct Spool {
    file: BufWriter<File>,
    path: PathBuf,
    /// Where each index's record starts (`NONE`: none yet); in the file, a record is its
    /// length (8 bytes, little-endian) and its bytes, so 8 bytes a student stay in memory.
    at: Vec<u64>,
    end: u64,
}

impl Spool {
    /// A spool for `n` records at `path` (removed again when the reader is dropped).
    pub(super) fn create(path: PathBuf, n: usize) -> Result<Spool> {
        let file = File::create(&path).map_err(Error::write_to(&path))?;
        Ok(Spool {
            file: BufWriter::new(file),
            path,
            at: vec![NONE; n],
            end: 0,
        })
    }

    /// A record as [`Spool::put_encoded`] takes it (made on any thread): postcard's
    /// compact binary form, which copies strings as they are (a key.json line inside
    /// JSON would be escaped on the way in and unescaped on the way out).
    pub(super) fn encode(record: &impl Serialize) -> Vec<u8> {
        postcard::to_stdvec(record).expect("a record always serializes")
    }

    /// Puts a record made by [`Spool::encode`].
    pub(super) fn put_encoded(&mut self, index: usize, bytes: &[u8]) -> Result<()> {
        let len = bytes.len() as u64;
        self.file
            .write_all(&len.to_le_bytes())
            .and_then(|()| self.file.write_all(bytes))
            .map_err(Error::write_to(&self.path))?;
        self.at[index] = self.end;
        self.end += LEN_BYTES + len;
        Ok(())
    }

    /// The records, to be read back by index.
    pub(super) fn finish(mut self) -> Result<SpoolReader> {
        self.file.flush().map_err(Error::write_to(&self.path))?;
        let file = File::open(&self.path).map_err(|source| Error::Read {
            path: self.path.clone(),
            source,
        })?;
        Ok(SpoolReader {
            file,
            path: std::mem::take(&mut self.path),
            at: std::mem::take(&mut self.at),
            buffer: Vec::new(),
        })
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The records of a finished [`Spool`].
pub(super) struct SpoolReader {
    file: File,
    path: PathBuf,
    at: Vec<u64>,
    buffer: Vec<u8>,
}

/// The start of a record never put.
const NONE: u64 = u64::MAX;

/// The length before each record.
const LEN_BYTES: u64 = 8;

impl SpoolReader {
    /// The record put under `index`.
    pub(super) fn get<T: DeserializeOwned>(&mut self, index: usize) -> Result<T> {
        let start = self.at[index];
        assert!(start != NONE, "record {index} was never put");
        let read = |file: &mut File, buffer: &mut Vec<u8>| {
            file.seek(SeekFrom::Start(start))?;
            let mut len = [0; LEN_BYTES as usize];
            file.read_exact(&mut len)?;
            buffer.resize(u64::from_le_bytes(len) as usize, 0);
            file.read_exact(buffer)
        };
        read(&mut self.file, &mut self.buffer).map_err(|source| Error::Read {
            path: self.path.clone(),
            source,
        })?;
        Ok(postcard::from_bytes(&self.buffer).expect("records are written by Spool::put_encoded"))
    }
}

impl Drop for SpoolReader {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_by_index_whatever_the_order_they_were_put_in() {
        let dir = std::env::temp_dir().join(format!("examgen-spool-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rows");
        let mut spool = Spool::create(path.clone(), 4).unwrap();
        for i in [2usize, 0, 3, 1] {
            spool
                .put_encoded(i, &Spool::encode(&(i, format!("row {i}"))))
                .unwrap();
        }
        let mut reader = spool.finish().unwrap();
        for i in [0usize, 1, 2, 3, 1] {
            let (j, text): (usize, String) = reader.get(i).unwrap();
            assert_eq!((j, text), (i, format!("row {i}")));
        }
        drop(reader);
        assert!(!path.exists(), "the scratch file is removed");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
