"""The worker's Channel and PayloadChannel: requests in, responses, notifications and logs out."""
