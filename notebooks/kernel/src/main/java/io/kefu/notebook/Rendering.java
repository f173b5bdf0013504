package io.kefu.notebook;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Base64;
import javax.imageio.ImageIO;

/** Turns a value into Jupyter display data: PNG for images and charts, HTML for tables, else text. */
final class Rendering {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final String XCHART_BASE = "org.knowm.xchart.internal.chartpart.Chart";

    private Rendering() {}

    static DisplayData render(Object value) {
        if (value instanceof DisplayData data) {
            return data;
        }
        if (value instanceof Table table) {
            DisplayData data = new DisplayData(table.toString());
            data.putHTML(table.toHtml());
            return data;
        }
        if (value instanceof Display.Html html) {
            DisplayData data = new DisplayData(html.html());
            data.putHTML(html.html());
            return data;
        }
        byte[] png = pngOf(value);
        if (png != null) {
            DisplayData data = new DisplayData(describeImage(value));
            data.putData(MIMEType.IMAGE_PNG, Base64.getEncoder().encodeToString(png));
            return data;
        }
        return new DisplayData(plainText(value));
    }

    static String plainText(Object value) {
        if (value == null) {
            return "null";
        }
        if (value.getClass().isArray()) {
            return arrayText(value);
        }
        return String.valueOf(value);
    }

    private static byte[] pngOf(Object value) {
        if (value instanceof byte[] bytes && bytes.length > PNG_SIGNATURE.length
                && Arrays.equals(Arrays.copyOf(bytes, PNG_SIGNATURE.length), PNG_SIGNATURE)) {
            return bytes;
        }
        if (value instanceof RenderedImage image) {
            return encodePng(image);
        }
        if (value != null && isXChart(value.getClass())) {
            return encodePng(xchartImage(value));
        }
        return null;
    }

    private static boolean isXChart(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(XCHART_BASE)) {
                return true;
            }
        }
        return false;
    }

    /** XChart comes from the user's classpath, so it is called by reflection through its own loader. */
    private static RenderedImage xchartImage(Object chart) {
        try {
            ClassLoader loader = chart.getClass().getClassLoader();
            Class<?> encoder = Class.forName("org.knowm.xchart.BitmapEncoder", true, loader);
            Class<?> chartType = Class.forName(XCHART_BASE, false, loader);
            Method toImage = encoder.getMethod("getBufferedImage", chartType);
            return (RenderedImage) toImage.invoke(null, chart);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot draw the XChart chart " + chart.getClass().getName()
                    + ": " + e, e);
        }
    }

    private static byte[] encodePng(RenderedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String describeImage(Object value) {
        if (value instanceof RenderedImage image) {
            return "<image " + image.getWidth() + "x" + image.getHeight() + ">";
        }
        return "<" + value.getClass().getSimpleName() + " image>";
    }

    private static String arrayText(Object array) {
        if (array instanceof Object[] objects) {
            return Arrays.deepToString(objects);
        }
        if (array instanceof int[] a) {
            return Arrays.toString(a);
        }
        if (array instanceof long[] a) {
            return Arrays.toString(a);
        }
        if (array instanceof double[] a) {
            return Arrays.toString(a);
        }
        if (array instanceof float[] a) {
            return Arrays.toString(a);
        }
        if (array instanceof byte[] a) {
            return Arrays.toString(a);
        }
        if (array instanceof short[] a) {
            return Arrays.toString(a);
        }
        if (array instanceof char[] a) {
            return Arrays.toString(a);
        }
        return Arrays.toString((boolean[]) array);
    }
}
