extension PGConnection {
    /// Raises this session's sort and temporary-table memory to 64 MB. The
    /// loader's merge sorts a batch of staged rows and keeps the rows it
    /// changed; gold's backlog query sorts every history row of its repos. At
    /// PostgreSQL's defaults (4 MB, 8 MB) both spill to disk on the bench
    /// corpus (the backlog query's two window sorts 22 and 9 MB there). A
    /// server or role set higher keeps its own value. (Must run before the
    /// session's first temporary table: temp_buffers is fixed from then on.)
    public func raiseSessionMemory() throws(PGError) {
        try execute(
            """
            SELECT set_config(name, '64MB', false) FROM pg_settings
            WHERE name IN ('work_mem', 'temp_buffers') AND pg_size_bytes(current_setting(name)) < 64 * 1024 * 1024
            """)
    }
}
