"""Issue 9 item 5: hostile input and the response headers that contain it."""
