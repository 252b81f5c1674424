//! `fazhi serve`: the web page and JSON API over the index (see
//! [`crate::serve`] and docs/api.md), until Ctrl-C or SIGTERM.

use std::net::SocketAddr;

use clap::Args;

use super::{Global, Outcome};
use crate::serve::{ServeOptions, run as serve};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback unless told otherwise; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:7878")]
    pub addr: SocketAddr,
}

pub fn run(args: ServeArgs, global: &Global) -> anyhow::Result<Outcome> {
    serve(ServeOptions {
        addr: args.addr,
        index: global.index.clone(),
        corpus: global.corpus.clone(),
        taxonomy: global.taxonomy.clone(),
        metadata: global.metadata.clone(),
    })?;
    Ok(Outcome::Done)
}
