"""broadcaster: automation for a Vietnamese commune loudspeaker radio (đài truyền thanh xã)."""

__version__ = "0.1.0"
