"""Partner files into canonical frames: the feed contract, the readers, the cleaning."""

from reconcile.feeds.errors import FeedFileError

__all__ = ["FeedFileError"]
