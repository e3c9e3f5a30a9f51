//! `wsseal c14n`: the canonical bytes of a document or of one element, for debugging digests.

use std::io::{Read, Write};
use std::path::PathBuf;

use wsseal_core::c14n::{self, Algorithm, C14nOptions, Subset};
use wsseal_core::xml::{Document, Limits};

use crate::Failure;

/// Arguments of `wsseal c14n`.
#[derive(clap::Args)]
pub struct Args {
    /// Exclusive XML Canonicalization 1.0 (the default).
    #[arg(long, conflicts_with = "inclusive")]
    pub exclusive: bool,
    /// Canonical XML 1.0 (inclusive).
    #[arg(long)]
    pub inclusive: bool,
    /// Keep comments (the #WithComments variants).
    #[arg(long)]
    pub comments: bool,
    /// InclusiveNamespaces PrefixList for exclusive C14N, space separated ("#default" for the
    /// default namespace).
    #[arg(long, value_name = "LIST", default_value = "")]
    pub prefixes: String,
    /// Canonicalize only the element with this wsu:Id, Id, ID or xml:id.
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// The XML file ("-" for standard input).
    pub file: PathBuf,
}

/// Prints the canonical bytes to standard output.
pub fn run(args: &Args) -> Result<(), Failure> {
    let input = read_input(&args.file)?;
    let doc = Document::parse(&input, &Limits::default()).map_err(|e| Failure::refused(e.code(), e))?;
    let subset = match &args.id {
        None => Subset::Document,
        Some(id) => Subset::Element(
            doc.element_by_id(id).ok_or_else(|| Failure::usage(format!("no element has the Id '{id}'")))?,
        ),
    };
    let prefixes: Vec<&str> = args.prefixes.split_whitespace().collect();
    let options = C14nOptions {
        algorithm: if args.inclusive { Algorithm::Inclusive } else { Algorithm::Exclusive },
        with_comments: args.comments,
        inclusive_prefixes: &prefixes,
    };
    let canonical = c14n::canonicalize_to_vec(&doc, subset, &options).map_err(|e| Failure::refused(e.code(), e))?;
    std::io::stdout().lock().write_all(&canonical).map_err(|e| Failure::io("standard output", e))
}

fn read_input(file: &PathBuf) -> Result<Vec<u8>, Failure> {
    if file.as_os_str() == "-" {
        let mut input = Vec::new();
        std::io::stdin().read_to_end(&mut input).map_err(|e| Failure::io("standard input", e))?;
        Ok(input)
    } else {
        std::fs::read(file).map_err(|e| Failure::io(file.display(), e))
    }
}
