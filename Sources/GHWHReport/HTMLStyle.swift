/// The page's inline stylesheet: system fonts, light background, one palette with the charts.
/// Kept free of `<` and `&` so the page also parses as XML.
enum HTMLStyle {
    static let css = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #f1f5f9; color: #1e293b;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif,
            "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji";
          font-size: 15px; line-height: 1.5; }
        main { max-width: 1120px; margin: 0 auto; padding: 32px 24px 48px; }
        header h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
        header p { margin: 0; color: #64748b; }
        h2 { font-size: 19px; margin: 0 0 4px; }
        h3 { font-size: 15px; margin: 0 0 2px; }
        section { background: #ffffff; border: 1px solid #e2e8f0; border-radius: 10px; padding: 20px 24px; margin-top: 20px; }
        .lead { color: #64748b; margin: 0 0 12px; font-size: 14px; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 14px;
          background: none; border: none; padding: 0; }
        .card { background: #ffffff; border: 1px solid #e2e8f0; border-radius: 10px; padding: 14px 16px; border-top: 4px solid #2563eb; }
        .card .q { font-size: 13px; color: #64748b; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; }
        .card .pair { display: flex; gap: 16px; margin: 6px 0 4px; }
        .card .v { font-size: 20px; font-weight: 700; white-space: nowrap; line-height: 1.15; font-variant-numeric: tabular-nums; }
        .card .k { font-size: 12px; color: #64748b; }
        .card .basis { font-size: 13px; color: #475569; }
        figure { margin: 16px 0 0; }
        figcaption { font-size: 14px; color: #475569; margin-bottom: 6px; }
        figcaption b { color: #1e293b; }
        .chartwrap { overflow-x: auto; }
        svg.chart { display: block; width: 100%; min-width: 600px; height: auto; }
        .nodata { color: #64748b; font-style: italic; background: #f8fafc; border: 1px dashed #cbd5e1; border-radius: 8px;
          padding: 18px; text-align: center; margin: 8px 0 0; }
        .tablewrap { overflow-x: auto; margin-top: 16px; }
        table { border-collapse: collapse; width: 100%; font-size: 14px; font-variant-numeric: tabular-nums; }
        th, td { padding: 6px 10px; border-bottom: 1px solid #e2e8f0; text-align: left; vertical-align: top; }
        th { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: #64748b; background: #f8fafc; }
        td.num, th.num { text-align: right; white-space: nowrap; }
        td.name { overflow-wrap: anywhere; }
        tr:last-child td { border-bottom: none; }
        .more { color: #64748b; font-size: 13px; margin: 8px 0 0; }
        footer { color: #64748b; font-size: 13px; margin-top: 24px; }
        footer dt { font-weight: 600; color: #475569; }
        footer dd { margin: 0 0 6px; }
        """
}
