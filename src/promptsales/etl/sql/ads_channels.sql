-- Channel catalogue (small; names for the by-channel summary).
SELECT channel_id, name FROM ads.channels
