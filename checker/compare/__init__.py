"""`buscheck diff OLD NEW`: the basic service of two feeds compared without relying on their ids."""
