//! The Links family: register a link, update its credentials, change its
//! access mode (each may pause for an MFA token, all resumed by `PATCH
//! /api/links/`), list, detail and delete. Credentials are secrets: they
//! never appear in `Debug`.

use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use crate::error::Error;
use crate::families::{resource, resume};
use crate::family::{erase, Call, Family, Resource, Retrieval, Sealed};
use crate::generated::{types, Client};
use crate::mfa::{FamilyName, PendingSession, Token};
use crate::pagination::paginated;

/// The Links family (`/api/links/`). A marker type: `client.links()` is
/// `client.resource::<family::Links>()`; its retrieve is
/// [`register`](Resource::register).
#[derive(Debug)]
pub enum Links {}

impl Sealed for Links {}

impl Client {
    /// The Links operations (hand-written layer).
    pub fn links(&self) -> Resource<'_, Links> {
        self.resource()
    }
}

fn secret(s: impl Into<String>) -> SecretString {
    SecretString::from(s.into())
}

fn exposed(s: Option<&SecretString>) -> Option<String> {
    s.map(|s| s.expose_secret().to_owned())
}

/// What a registration and an update of credentials both may carry, each
/// a secret but `username_type`.
#[derive(Clone, Default)]
struct Secrets {
    password2: Option<SecretString>,
    token: Option<Token>,
    username_type: Option<String>,
    certificate: Option<SecretString>,
    private_key: Option<SecretString>,
}

impl Secrets {
    fn token(&self) -> Option<String> {
        self.token.as_ref().map(|t| t.expose().to_owned())
    }
}

/// The setters of [`Secrets`], for a type with a `secrets` field.
macro_rules! secret_setters {
    () => {
        /// The second password some institutions ask for.
        #[must_use]
        pub fn password2(mut self, password: impl Into<String>) -> Self {
            self.secrets.password2 = Some(secret(password));
            self
        }

        /// An MFA token sent up front.
        #[must_use]
        pub fn token(mut self, token: impl Into<Token>) -> Self {
            self.secrets.token = Some(token.into());
            self
        }

        /// The kind of username (`username_type`), for institutions that
        /// take several.
        #[must_use]
        pub fn username_type(mut self, kind: impl Into<String>) -> Self {
            self.secrets.username_type = Some(kind.into());
            self
        }

        /// A certificate and its private key, for institutions that take
        /// them.
        #[must_use]
        pub fn certificate(
            mut self,
            certificate: impl Into<String>,
            private_key: impl Into<String>,
        ) -> Self {
            self.secrets.certificate = Some(secret(certificate));
            self.secrets.private_key = Some(secret(private_key));
            self
        }
    };
}

/// The body of a link registration (`POST /api/links/`). Its `Debug` shows
/// no username, password, token, certificate or private key.
///
/// ```
/// let request = belvo::RegisterLink::new("erebor_mx_retail", "bnk100", "full")
///     .access_mode("recurrent")
///     .external_id("customer-42");
/// let shown = format!("{request:?}");
/// assert!(!shown.contains("full") && !shown.contains("bnk100"));
/// ```
#[derive(Clone)]
pub struct RegisterLink {
    institution: String,
    username: String,
    password: SecretString,
    username2: Option<String>,
    username3: Option<String>,
    access_mode: Option<String>,
    external_id: Option<String>,
    credentials_storage: Option<String>,
    fetch_historical: Option<bool>,
    secrets: Secrets,
}

impl std::fmt::Debug for RegisterLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The username is often a national id number: not shown either.
        f.debug_struct("RegisterLink")
            .field("institution", &self.institution)
            .field("access_mode", &self.access_mode)
            .field("external_id", &self.external_id)
            .finish_non_exhaustive()
    }
}

impl RegisterLink {
    /// A link to `institution` (Belvo's institution code) with the user's
    /// credentials.
    pub fn new(
        institution: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        RegisterLink {
            institution: institution.into(),
            username: username.into(),
            password: secret(password),
            username2: None,
            username3: None,
            access_mode: None,
            external_id: None,
            credentials_storage: None,
            fetch_historical: None,
            secrets: Secrets::default(),
        }
    }

    /// `single` or `recurrent` (Belvo's default).
    #[must_use]
    pub fn access_mode(mut self, mode: impl Into<String>) -> Self {
        self.access_mode = Some(mode.into());
        self
    }

    /// Your own id for the link's user.
    #[must_use]
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// The second and third usernames some institutions ask for.
    #[must_use]
    pub fn more_usernames(mut self, second: impl Into<String>, third: Option<String>) -> Self {
        self.username2 = Some(second.into());
        self.username3 = third;
        self
    }

    /// How long Belvo keeps the credentials (`credentials_storage`).
    #[must_use]
    pub fn credentials_storage(mut self, storage: impl Into<String>) -> Self {
        self.credentials_storage = Some(storage.into());
        self
    }

    /// Whether Belvo fetches the link's history when it registers it.
    #[must_use]
    pub fn fetch_historical(mut self, fetch: bool) -> Self {
        self.fetch_historical = Some(fetch);
        self
    }

    secret_setters!();

    fn body(&self) -> types::LinksRegisterRequest {
        let s = &self.secrets;
        types::LinksRegisterRequest {
            access_mode: self.access_mode.clone(),
            certificate: exposed(s.certificate.as_ref()),
            credentials_storage: self.credentials_storage.clone(),
            external_id: self.external_id.clone(),
            fetch_historical: self.fetch_historical,
            institution: self.institution.clone(),
            password: self.password.expose_secret().to_owned(),
            password2: exposed(s.password2.as_ref()),
            private_key: exposed(s.private_key.as_ref()),
            token: s.token(),
            username: self.username.clone(),
            username2: self.username2.clone(),
            username3: self.username3.clone(),
            username_type: s.username_type.clone(),
        }
    }
}

/// New credentials for a link (`PUT /api/links/{id}/`). Its `Debug` shows
/// none of them.
#[derive(Clone, Default)]
pub struct UpdateCredentials {
    password: Option<SecretString>,
    secrets: Secrets,
}

impl std::fmt::Debug for UpdateCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateCredentials")
            .field("username_type", &self.secrets.username_type)
            .finish_non_exhaustive()
    }
}

impl UpdateCredentials {
    /// A new password.
    pub fn password(password: impl Into<String>) -> Self {
        UpdateCredentials {
            password: Some(secret(password)),
            ..UpdateCredentials::default()
        }
    }

    secret_setters!();

    fn body(&self) -> types::LinksUpdateCredentialsRequest {
        let s = &self.secrets;
        types::LinksUpdateCredentialsRequest {
            certificate: exposed(s.certificate.as_ref()),
            password: exposed(self.password.as_ref()),
            password2: exposed(s.password2.as_ref()),
            private_key: exposed(s.private_key.as_ref()),
            token: s.token(),
            username_type: s.username_type.clone(),
        }
    }
}

impl Family for Links {
    type Request = RegisterLink;
    type Body = types::Link;
    type Output = types::Link;
    type Pending = PendingSession;

    fn name() -> FamilyName {
        FamilyName::Links
    }

    fn retrieve<'a>(c: &'a Client, r: &'a RegisterLink) -> Result<Call<'a, types::Link>, Error> {
        Ok(erase(c.links_register().body(r.body()).send()))
    }

    fn save_data(_: &RegisterLink) -> Option<bool> {
        None
    }

    fn complete(link: types::Link, _persisted: bool) -> types::Link {
        link
    }
}

// Links take no `save_data` in their resume.
resume!(Links: links_resume, as_is, no_save_data);
resource!(@listed Links: types::Link, Uuid, links_detail(id), links_delete);
paginated!(LinksList => types::LinkList => types::Link);

impl Resource<'_, Links> {
    /// Registers a link (`POST /api/links/`): the link, or a pause for an
    /// MFA token, resumed with [`resume`](Resource::resume) or
    /// [`complete_with_mfa`](Resource::complete_with_mfa). Never retried.
    ///
    /// ```no_run
    /// # async fn run(client: belvo::Client) -> Result<(), belvo::Error> {
    /// let request = belvo::RegisterLink::new("erebor_mx_retail", "bnk100", "full");
    /// let link = client
    ///     .links()
    ///     .retrieve_with_mfa(&request, |_pending| async {
    ///         Ok::<_, std::io::Error>(belvo::Token::new("123456"))
    ///     })
    ///     .await?;
    /// println!("link {:?}", link.id);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Those of [`retrieve`](Resource::retrieve).
    pub async fn register(&self, request: &RegisterLink) -> Result<Retrieval<types::Link>, Error> {
        self.retrieve(request).await
    }

    /// Updates the credentials of link `id` (`PUT /api/links/{id}/`): the
    /// link, or a pause for an MFA token, resumed like a registration.
    /// Never retried.
    ///
    /// # Errors
    /// Those of [`retrieve`](Resource::retrieve); [`Error::Api`] with
    /// `not_found` for an unknown link.
    pub async fn update_credentials(
        &self,
        id: Uuid,
        credentials: &UpdateCredentials,
    ) -> Result<Retrieval<types::Link>, Error> {
        let call = self
            .client()
            .links_update_credentials()
            .id(id)
            .body(credentials.body())
            .send();
        self.paused(erase(call), true).await
    }

    /// Changes the access mode of link `id` (`PATCH /api/links/{id}/`) to
    /// `single` or `recurrent`: the link, or a pause for an MFA token.
    /// Never retried.
    ///
    /// # Errors
    /// Those of [`update_credentials`](Self::update_credentials).
    pub async fn change_access_mode(
        &self,
        id: Uuid,
        access_mode: impl Into<String>,
    ) -> Result<Retrieval<types::Link>, Error> {
        let body = types::LinksChangeAccessModeRequest {
            access_mode: access_mode.into(),
        };
        let call = self
            .client()
            .links_change_access_mode()
            .id(id)
            .body(body)
            .send();
        self.paused(erase(call), true).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_show_in_debug() {
        let register = RegisterLink::new("bank", "user-1", "hunter2")
            .more_usernames("user-2", Some("user-3".into()))
            .password2("second-secret")
            .token("654321")
            .certificate("CERT-BODY", "KEY-BODY");
        let update = UpdateCredentials::password("hunter3")
            .token("111222")
            .certificate("CERT2", "KEY2");
        let shown = format!("{register:?} {update:?}");
        for secret in [
            "user-1",
            "user-2",
            "user-3",
            "hunter2",
            "second-secret",
            "654321",
            "CERT-BODY",
            "KEY-BODY",
            "hunter3",
            "111222",
            "CERT2",
            "KEY2",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("bank"), "{shown}");
        // The wire body carries them all.
        let body = register.body();
        assert_eq!(body.password, "hunter2");
        assert_eq!(body.username, "user-1");
        assert_eq!(body.username3.as_deref(), Some("user-3"));
        assert_eq!(body.token.as_deref(), Some("654321"));
        assert_eq!(update.body().private_key.as_deref(), Some("KEY2"));
    }
}
