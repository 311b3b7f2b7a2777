//! A 428 stored in a real SQLite database by one process and resumed by
//! another: what a web backend does when the bank's token arrives in a later
//! request, or after a restart.
//!
//! With no subcommand it runs against the embedded sandbox: this process
//! starts the sandbox, retrieves (the sandbox answers 428), writes the
//! pending session to the database and exits its part; a second process (this
//! same program, `resume`) opens the database, loads the session and resumes
//! it with the token. Against the real API, run the two steps yourself:
//!
//! ```sh
//! cargo run --example stored_session
//! # real API (BELVO_SECRET_ID, BELVO_SECRET_PASSWORD, BELVO_ENV or BELVO_API_URL):
//! cargo run --example stored_session -- start --db belvo.sqlite --link LINK_ID
//! cargo run --example stored_session -- resume --db belvo.sqlite --token 123456
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use belvo::testing::{
    Sandbox, Scenario, SANDBOX_SECRET_ID, SANDBOX_SECRET_PASSWORD, SANDBOX_TOKEN,
};
use belvo::{Client, FamilyName, PendingSession, Retrieval, RetrieveRequest, Token};
use chrono::{TimeDelta, Utc};
use clap::{Parser, Subcommand};
use rusqlite::{params, Connection, OptionalExtension};
use tokio::process::Command;

/// Store a 428 in SQLite, resume it from another process.
#[derive(Parser, Debug)]
#[command(name = "stored_session")]
struct Args {
    #[command(subcommand)]
    step: Option<Step>,
}

#[derive(Subcommand, Debug)]
enum Step {
    /// Retrieve the last 30 days of balances of `--link`; store the 428, if
    /// any.
    Start {
        /// The SQLite database (created if missing).
        #[arg(long)]
        db: PathBuf,
        /// The link to retrieve.
        #[arg(long)]
        link: uuid::Uuid,
    },
    /// Resume the pending session stored last, with `--token`.
    Resume {
        /// The SQLite database `start` wrote.
        #[arg(long)]
        db: PathBuf,
        /// The MFA token (omit for inputless MFA).
        #[arg(long)]
        token: Option<String>,
    },
}

type Failure = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let done = match args.step {
        None => demo().await,
        Some(Step::Start { db, link }) => match Client::from_env() {
            Ok(client) => start(&client, &db, link).await,
            Err(e) => Err(e.into()),
        },
        Some(Step::Resume { db, token }) => match Client::from_env() {
            Ok(client) => resume(&client, &db, token.map(Token::new)).await,
            Err(e) => Err(e.into()),
        },
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Both steps against the embedded sandbox, the second in another process.
async fn demo() -> Result<(), Failure> {
    let sandbox = Sandbox::start().await?;
    let dir = std::env::temp_dir().join(format!("belvo-stored-session-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    // Removed however this ends.
    let _cleanup = RemoveOnDrop(dir.clone());
    let db = dir.join("sessions.sqlite");
    println!(
        "[process {}] sandbox at {}",
        std::process::id(),
        sandbox.base_url()
    );
    start(&sandbox.client()?, &db, Scenario::TokenOnce.link()).await?;

    println!(
        "[process {}] starting another process to resume",
        std::process::id()
    );
    let status = Command::new(std::env::current_exe()?)
        .args(["resume", "--db"])
        .arg(&db)
        .args(["--token", SANDBOX_TOKEN])
        .env("BELVO_API_URL", sandbox.base_url())
        .env("BELVO_SECRET_ID", SANDBOX_SECRET_ID)
        .env("BELVO_SECRET_PASSWORD", SANDBOX_SECRET_PASSWORD)
        .env_remove("BELVO_ENV")
        .status()
        .await?;
    if !status.success() {
        return Err(format!("the resuming process failed: {status}").into());
    }
    Ok(())
}

/// A directory removed when dropped.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn open(db: &Path) -> Result<Connection, Failure> {
    let conn = Connection::open(db)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS pending_sessions (
             id         INTEGER PRIMARY KEY,
             family     TEXT NOT NULL,
             link       TEXT NOT NULL,
             expires_at TEXT,
             session    TEXT NOT NULL  -- the PendingSession as JSON
         )",
    )?;
    Ok(conn)
}

async fn start(client: &Client, db: &Path, link: uuid::Uuid) -> Result<(), Failure> {
    let today = Utc::now().date_naive();
    let request = RetrieveRequest::new(link, today - TimeDelta::days(30), today);
    match client.balances().retrieve(&request).await? {
        Retrieval::Complete(done) => {
            println!("no MFA needed: {} balance(s)", done.balances.len());
        }
        Retrieval::TokenRequired(pending) => {
            let conn = open(db)?;
            conn.execute(
                "INSERT INTO pending_sessions (family, link, expires_at, session) VALUES (?1, ?2, ?3, ?4)",
                params![
                    pending.family().as_str(),
                    pending.link(),
                    pending.expires_at().map(|d| d.to_rfc3339()),
                    serde_json::to_string(&pending)?,
                ],
            )?;
            println!(
                "[process {}] 428: session of {} stored in {} (row {})",
                std::process::id(),
                pending.family(),
                db.display(),
                conn.last_insert_rowid()
            );
        }
    }
    Ok(())
}

async fn resume(client: &Client, db: &Path, token: Option<Token>) -> Result<(), Failure> {
    let conn = open(db)?;
    let row: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, session FROM pending_sessions ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (id, json) = row.ok_or("no pending session stored")?;
    let pending: PendingSession = serde_json::from_str(&json)?;
    println!(
        "[process {}] loaded row {id}: a {} session for link {}",
        std::process::id(),
        pending.family(),
        pending.link()
    );
    if *pending.family() != FamilyName::Balances {
        return Err(format!("this example resumes balances, not {}", pending.family()).into());
    }
    let count = match client.balances().resume(&pending, token).await? {
        Retrieval::Complete(done) => done.balances.len(),
        Retrieval::TokenRequired(next) => {
            // Another factor: the row now holds the new session.
            conn.execute(
                "UPDATE pending_sessions SET session = ?1, expires_at = ?2 WHERE id = ?3",
                params![
                    serde_json::to_string(&next)?,
                    next.expires_at().map(|d| d.to_rfc3339()),
                    id
                ],
            )?;
            return Err("the bank asks for another token: run `resume` again with it".into());
        }
    };
    conn.execute("DELETE FROM pending_sessions WHERE id = ?1", params![id])?;
    println!(
        "[process {}] resumed: {count} balance(s); row {id} deleted",
        std::process::id()
    );
    Ok(())
}
