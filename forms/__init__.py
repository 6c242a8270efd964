"""Unified forms and their validation. A leaf library: imports nothing of ours."""
