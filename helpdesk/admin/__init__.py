"""Administration pages: the failed jobs of the runtime, their replay and the alert about them."""
