"""UWS 1.1: the asynchronous job machinery shared by TAP async and the analyses."""
