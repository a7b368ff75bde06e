package s3

// SetStorePageSize lowers the page size of st's listings, so that tests
// exercise pagination.
func SetStorePageSize(st *Store, n int32) { st.pageSize = n }
