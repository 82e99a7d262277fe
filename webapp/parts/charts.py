"""The page's Altair charts (Altair and pandas come with Streamlit)."""

from __future__ import annotations

from collections.abc import Sequence

import kseg


def curve_chart(curve: kseg.KCurve):
    """The objective against k, the suggested k marked."""
    import altair as alt
    import pandas as pd

    df = pd.DataFrame({"k": curve.ks, "error": curve.mse})
    df["suggested"] = df["k"] == curve.suggested
    base = alt.Chart(df).encode(
        x=alt.X("k:Q", title="number of colours k", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("error:Q", title="mean squared RGB error"),
    )
    line = base.mark_line(point=True)
    mark = base.transform_filter("datum.suggested").mark_point(
        size=250, shape="diamond", filled=True, color="#d6336c"
    )
    rule = (
        alt.Chart(df[df["suggested"]]).mark_rule(color="#d6336c", strokeDash=[4, 4]).encode(x="k:Q")
    )
    chart = line + rule + mark
    return chart.properties(
        height=260,
        description=f"The objective (mean squared RGB error) for k = {curve.ks[0]} to "
        f"{curve.ks[-1]}, falling as k grows; k = {curve.suggested} is suggested.",
    )


def colour_chart(sample: kseg.ColorSample, palette: Sequence[dict]):
    """Sampled pixels in their own colours on the two main colour axes, with
    the cluster centres as large outlined dots."""
    import altair as alt
    import pandas as pd

    hexes = ["#{:02x}{:02x}{:02x}".format(*c) for c in sample.rgb.tolist()]
    pts = pd.DataFrame(
        {"x": sample.xy[:, 0], "y": sample.xy[:, 1], "colour": hexes, "cluster": sample.labels + 1}
    )
    centres = pd.DataFrame(
        {
            "x": sample.centres_xy[:, 0],
            "y": sample.centres_xy[:, 1],
            "colour": [p["hex"] for p in palette],
            "cluster": range(1, len(palette) + 1),
        }
    )
    enc = {
        "x": alt.X("x:Q", title="main colour axis"),
        "y": alt.Y("y:Q", title="second colour axis"),
        "color": alt.Color("colour:N", scale=None),
        "tooltip": ["cluster:O", "colour:N"],
    }
    dots = alt.Chart(pts).mark_circle(size=18, opacity=0.8).encode(**enc)
    big = alt.Chart(centres).mark_circle(size=420, stroke="black", strokeWidth=2).encode(**enc)
    return (dots + big).properties(
        height=380,
        description="2,000 pixels of the photo placed by their colour on its two main colour "
        f"axes, in their own colours, with the {len(palette)} cluster centres as large dots.",
    )


def colour_table(sample: kseg.ColorSample) -> dict[str, list]:
    """The numbers behind :func:`colour_chart`: pixels per cluster in the sample."""
    import numpy as np

    clusters, counts = np.unique(sample.labels, return_counts=True)
    return {"colour": [f"#{c + 1}" for c in clusters], "pixels in the sample": counts.tolist()}


def shares_chart(names: Sequence[str], shares: Sequence[Sequence[float]], palette: Sequence[dict]):
    """One stacked bar per photo: each palette colour's share, in its colour."""
    import altair as alt
    import pandas as pd

    rows = [
        {"photo": name, "colour": f"#{j + 1} {p['name']}", "hex": p["hex"], "share": 100 * s[j]}
        for name, s in zip(names, shares, strict=True)
        for j, p in enumerate(palette)
    ]
    df = pd.DataFrame(rows)
    order = [f"#{j + 1} {p['name']}" for j, p in enumerate(palette)]
    return (
        alt.Chart(df, description="Share of each palette colour in each photo, in percent")
        .mark_bar(stroke="#555", strokeWidth=0.5)
        .encode(
            y=alt.Y("photo:N", title=None, sort=list(names)),
            x=alt.X("share:Q", title="share of the photo (%)", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "colour:N",
                scale=alt.Scale(domain=order, range=[p["hex"] for p in palette]),
                # Below the bars in columns, every colour listed (Vega's
                # legends otherwise stop where the chart's height ends).
                legend=alt.Legend(
                    title="colour",
                    orient="bottom",
                    columns=min(4, len(palette)),
                    symbolLimit=len(palette),
                    labelLimit=0,
                ),
            ),
            order=alt.Order("colour:N"),
            tooltip=["photo:N", "colour:N", alt.Tooltip("share:Q", format=".1f")],
        )
        # The chart's height holds the bars and the legend below them.
        .properties(height=max(120, 40 * len(names)) + 70 + 32 * -(-len(palette) // 4))
    )
