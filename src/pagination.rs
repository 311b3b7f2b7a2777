//! Pagination, once for every list: Belvo's lists are Django REST
//! Framework pages (`{count, next, previous, results}`), and a list is read
//! by following `next` until a page has none, or until the server shows it
//! makes no progress.

use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::family::Sealed;

/// One page of a list, as the generated client decodes it: the typed
/// `{count, next, previous, results}` of a list operation. Implemented by
/// the crate for each generated list type (one line each).
pub trait Page: Sealed + DeserializeOwned + Send + 'static {
    /// One result.
    type Item: Send + 'static;

    /// `count`: how many results the whole list has.
    fn count(&self) -> i64;

    /// `next`: the absolute URL of the next page, if any.
    fn next(&self) -> Option<&str>;

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
        let page = self.next.unwrap_or(1);
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
        // Pages only move forward, so a `next` seen before is one that
        // does not: no set of the links is needed to catch it.
        let to = next_page(next)?;
        if to <= page {
            return Err(stalled(format!(
                "its `next` link goes back to page {to}, seen before (it must move forward)"
            )));
        }
        self.next = Some(to);
        Ok(Some(self))
    }
}

/// The page number of an absolute `next` URL.
fn next_page(next: &str) -> Result<i32, Error> {
    let fail = |reason: &str| Error::Pagination {
        next: crate::text::redact_url(next),
        reason: reason.to_owned(),
    };
    let url = reqwest::Url::parse(next).map_err(|e| fail(&e.to_string()))?;
    let page = url
        .query_pairs()
        .find(|(k, _)| k == "page")
        .ok_or_else(|| fail("it has no `page` parameter"))?
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
            next_page("https://x/api/balances/?page=3&page_size=2").ok(),
            Some(3)
        );
        for bad in [
            "/relative?page=2",
            "https://x/?cursor=abc",
            "https://x/?page=two",
        ] {
            assert!(
                matches!(next_page(bad), Err(Error::Pagination { .. })),
                "{bad}"
            );
        }
    }
}
