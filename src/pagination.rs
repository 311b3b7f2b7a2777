//! Pagination, once for every list: Belvo's lists are Django REST
//! Framework pages (`{count, next, previous, results}`), and a list is read
//! by following `next` until a page has none, or until the server shows it
//! makes no progress.

use futures::{stream, Stream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;

use crate::client::{call, with_retry};
use crate::error::Error;
use crate::family::{ok_only, Call, Sealed};
use crate::generated::Client;

/// One page of a list, as the generated client decodes it: the typed
/// `{count, next, previous, results}` of a list operation. Implemented by
/// the crate for each generated list type (one line each).
pub trait Page: Sealed + DeserializeOwned + Send + 'static {
    /// One result.
    type Item: Send + 'static;

    /// `count`: how many results the whole list has.
    fn count(&self) -> i64;

    /// `next`: the URL of the next page (absolute, as Belvo sends it), if any.
    fn next(&self) -> Option<&str>;

    /// `previous`: the URL of the page before (absolute, as Belvo sends it), if any.
    fn previous(&self) -> Option<&str>;

    /// How many results this page holds.
    fn len(&self) -> usize;

    /// True when this page holds no result.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The results.
    fn into_results(self) -> Vec<Self::Item>;
}

/// Implements [`Page`] for a generated DRF list type: `drf_page!(List =>
/// Item)`.
macro_rules! drf_page {
    ($page:ty => $item:ty) => {
        impl $crate::family::Sealed for $page {}
        impl $crate::pagination::Page for $page {
            type Item = $item;
            fn count(&self) -> i64 {
                i64::from(self.count)
            }
            fn next(&self) -> Option<&str> {
                self.next.as_deref()
            }
            fn previous(&self) -> Option<&str> {
                self.previous.as_deref()
            }
            fn len(&self) -> usize {
                self.results.len()
            }
            fn into_results(self) -> Vec<$item> {
                self.results
            }
        }
    };
}
pub(crate) use drf_page;

/// A generated list call with its filters set (`client.accounts_list()
/// .link(id).page_size(500)`), which [`Client::paginate`] reads page after
/// page. Implemented by the crate for every generated list; one without a
/// `page` parameter (the secret keys) is read as one page.
pub trait Paginated<'c>: Sealed + Clone + Send + Sync + 'c {
    /// One page of the list.
    type Page: Page;

    /// The same call for page `page` (1-based); `None` for a list that
    /// takes no `page`.
    #[doc(hidden)]
    fn at_page(self, page: i32) -> Option<Self>;

    /// Sends the call.
    #[doc(hidden)]
    fn send_page(self) -> Call<'c, Self::Page>;
}

/// Implements [`Page`] for a generated DRF list type and [`Paginated`] for
/// the generated builder that lists it: `paginated!(Builder => List =>
/// Item)`.
/// A list Belvo documents without a `page` parameter is
/// `paginated!(unpaged Builder => List => Item)`: it is read as one page,
/// and a `next` link on it ends the stream with an error (asking again
/// would get the same page).
macro_rules! paginated {
    ($builder:ident => $page:ty => $item:ty) => {
        $crate::pagination::paginated!(@impl $builder => $page => $item, |call, page| Some(call.page(page)));
    };
    (unpaged $builder:ident => $page:ty => $item:ty) => {
        $crate::pagination::paginated!(@impl $builder => $page => $item, |_call, _page| None);
    };
    (@impl $builder:ident => $page:ty => $item:ty, |$call:ident, $at:ident| $with_page:expr) => {
        $crate::pagination::drf_page!($page => $item);
        impl $crate::family::Sealed for $crate::generated::builder::$builder<'_> {}
        impl<'c> $crate::pagination::Paginated<'c> for $crate::generated::builder::$builder<'c> {
            type Page = $page;
            fn at_page(self, $at: i32) -> Option<Self> {
                let $call = self;
                $with_page
            }
            fn send_page(self) -> $crate::family::Call<'c, $page> {
                $crate::family::erase(self.send())
            }
        }
    };
}
pub(crate) use paginated;

impl Client {
    /// Every record of a list, page after page, following `next`: give it
    /// the generated list call with its filters, e.g.
    /// `client.paginate(client.accounts_list().link(id))`. Each page is
    /// retried per the client's [`RetryPolicy`](crate::RetryPolicy).
    ///
    /// The stream always ends, and never skips: a page that makes no
    /// progress (no results but a `next`, a `next` seen before, or more
    /// pages than the first page's `count` allows) or a `next` to any page
    /// but the one after ends it, after that page's records, with
    /// [`Error::PaginationStalled`] ([`Error::Pagination`] when the `next`
    /// link has no page number). A call whose `page` is set starts there
    /// (its `previous` link says where it is). The page bound is `ceil(count / size of the
    /// first page)` plus [`LIST_EXTRA_PAGES`], since records may be added
    /// while the list is read.
    ///
    /// ```no_run
    /// # async fn run(client: belvo::Client, link: uuid::Uuid) -> Result<(), belvo::Error> {
    /// use futures::TryStreamExt;
    /// let accounts: Vec<belvo::types::Account> = client
    ///     .paginate(client.accounts_list().link(link).page_size(500))
    ///     .try_collect()
    ///     .await?;
    /// # let _ = accounts; Ok(()) }
    /// ```
    pub fn paginate<'c, L: Paginated<'c>>(
        &'c self,
        list: L,
    ) -> impl Stream<Item = Result<<L::Page as Page>::Item, Error>> + Send + 'c {
        let retry = self.config_retry();
        stream::try_unfold(Ok(Some(Pages::default())), move |state| {
            let list = list.clone();
            async move {
                // The page before ended the list, or made no progress: its
                // records were yielded, now its error.
                let Some(pages) = state? else {
                    return Ok(None);
                };
                let at = match pages.next {
                    Some(page) => list.at_page(page).ok_or(Error::PaginationStalled {
                        page: page - 1,
                        reason: "it has a `next` link, but this list takes no `page`".into(),
                    })?,
                    None => list,
                };
                let page = with_retry(retry, || async {
                    ok_only(call(at.clone().send_page(), true).await?)
                })
                .await?;
                let next = pages.advance(&page);
                Ok(Some((
                    stream::iter(page.into_results().into_iter().map(Ok)),
                    next,
                )))
            }
        })
        .try_flatten()
        .boxed()
    }
}

/// Pages a list may read beyond what the first page's `count` allows: the
/// list may grow while it is read.
pub const LIST_EXTRA_PAGES: u64 = 2;

/// Where a list is, and what it has seen: enough to tell that a server makes
/// no progress.
#[derive(Default)]
pub(crate) struct Pages {
    /// The page to ask for (`None`: the first).
    pub(crate) next: Option<i32>,
    /// Pages read so far.
    read: u64,
    /// The most pages the first page's `count` allows.
    bound: Option<u64>,
}

impl Pages {
    /// Takes in the page just read; the state for the next one, or `None`
    /// when the list is complete.
    pub(crate) fn advance(mut self, list: &impl Page) -> Result<Option<Pages>, Error> {
        // The first page read is the one the call asked for (1 unless its
        // `page` was set): the one after its `previous`.
        let page = match self.next {
            Some(page) => page,
            None => match list.previous() {
                None => 1,
                Some(previous) => previous_page(previous)?.saturating_add(1),
            },
        };
        self.read += 1;
        let Some(next) = list.next() else {
            return Ok(None);
        };
        let stalled = |reason: String| Error::PaginationStalled { page, reason };
        if list.is_empty() {
            return Err(stalled("the page has no results but a `next` link".into()));
        }
        let bound = *self.bound.get_or_insert_with(|| {
            let count = u64::try_from(list.count()).unwrap_or(0);
            let size = list.len() as u64;
            count.div_ceil(size) + LIST_EXTRA_PAGES
        });
        if self.read >= bound {
            return Err(stalled(format!(
                "{} pages read and still a `next` link, more than a count of {} allows",
                self.read,
                list.count()
            )));
        }
        // Pages only move forward one at a time, so a `next` seen before is
        // one that does not: no set of the links is needed to catch it.
        let to = page_of(next)?;
        if to <= page {
            return Err(stalled(format!(
                "its `next` link goes back to page {to}, seen before (it must move forward)"
            )));
        }
        if to != page.saturating_add(1) {
            return Err(stalled(format!(
                "its `next` link skips to page {to}: the records of the pages between would be missed"
            )));
        }
        self.next = Some(to);
        Ok(Some(self))
    }
}

/// The page before the current one, from its `previous` link: Django REST
/// Framework leaves `page` out of the link to the first page.
fn previous_page(previous: &str) -> Result<i32, Error> {
    match page_of(previous) {
        Err(Error::Pagination { reason, .. }) if reason == NO_PAGE => Ok(1),
        other => other,
    }
}

/// Why a link has no page number.
const NO_PAGE: &str = "it has no `page` parameter";

/// The page number of a `next` (or `previous`) URL. Only its `page` is
/// read (the request goes to the client's base URL), so a relative link,
/// as a proxy that rewrites Belvo's absolute ones may send, does as well.
fn page_of(next: &str) -> Result<i32, Error> {
    let fail = |reason: &str| Error::Pagination {
        next: crate::text::redact_url(next),
        reason: reason.to_owned(),
    };
    let base = reqwest::Url::parse("https://base.invalid/").map_err(|e| fail(&e.to_string()))?;
    let url = base.join(next).map_err(|e| fail(&e.to_string()))?;
    let page = url
        .query_pairs()
        .find(|(k, _)| k == "page")
        .ok_or_else(|| fail(NO_PAGE))?
        .1
        .parse::<i32>()
        .map_err(|_| fail("its `page` is not a number"))?;
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links() {
        assert_eq!(
            page_of("https://x/api/balances/?page=3&page_size=2").ok(),
            Some(3)
        );
        assert_eq!(page_of("/api/balances/?page=2").ok(), Some(2));
        assert_eq!(page_of("?page=4&page_size=2").ok(), Some(4));
        for bad in [
            "http://[::1/?page=2",
            "https://x/?cursor=abc",
            "https://x/?page=two",
        ] {
            assert!(
                matches!(page_of(bad), Err(Error::Pagination { .. })),
                "{bad}"
            );
        }
    }
}
