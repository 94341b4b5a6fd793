"""Domain services: free of request and session state; they flush, the caller commits."""
