"""The citizen's payment pages and the gateway's two addresses."""
