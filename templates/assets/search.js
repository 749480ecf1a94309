// search page script: written by the search-page work
