using System.Globalization;
using System.Text.Json;
using Akka.Configuration.Hocon;

namespace VirtCca.Launcher.Results;

/// <summary>Writes a resolved HOCON tree as JSON (numbers stay numbers, booleans booleans, the rest strings).</summary>
internal static class HoconJson
{
    public static void Write(Utf8JsonWriter w, HoconValue value)
    {
        if (value.IsObject())
        {
            w.WriteStartObject();
            foreach (var (key, child) in value.GetObject().Items.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WritePropertyName(key);
                Write(w, child);
            }
            w.WriteEndObject();
        }
        else if (value.IsArray())
        {
            w.WriteStartArray();
            foreach (var item in value.GetArray()) Write(w, item);
            w.WriteEndArray();
        }
        else
        {
            var s = value.GetString();
            if (s == null) w.WriteNullValue();
            else if (s is "true" or "false") w.WriteBooleanValue(s == "true");
            else if (decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !s.StartsWith('+')) w.WriteNumberValue(d);
            else w.WriteStringValue(s);
        }
    }
}
