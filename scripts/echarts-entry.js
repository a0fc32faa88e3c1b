// The slim ECharts bundle: only the chart types and components UnionHome's dashboards use.
import * as echarts from "echarts/core";
import { BarChart, GaugeChart, HeatmapChart, LineChart, PieChart, ScatterChart } from "echarts/charts";
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, GaugeChart, HeatmapChart, LineChart, PieChart, ScatterChart, GridComponent,
  LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent, VisualMapComponent, AriaComponent,
  CanvasRenderer]);
window.echarts = echarts;
