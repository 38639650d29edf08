"""What the warehouse (``wh.*`` in the promptsales database) holds, declared once for everyone who reads or
writes it: the ETL builds its load from it and the question answering (``sales.nlq``) its askable metrics.
"""
