"""Renderers: they draw verdicts and never compute them."""
