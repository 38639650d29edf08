-- Market catalogue (small; names for the by-market summary).
SELECT market_id, country || ' / ' || segment FROM ads.markets
